// `npm run vectors`: regenerates test/fixtures/vectors/*.txt from this machine's CPU.
//
// 1. Assembles every form of forms.mjs with nasm (one batch, each instruction at 0x200000).
// 2. Builds 64 starting states per form (cases.mjs), deterministically from the form's text.
// 3. Compiles harness.c with gcc and runs every case natively (one instruction each).
// 4. Checks the results (no unexpected signal, RIP on a landing pad, the harness's data region
//    equal to ours) and writes one fixture file per family.
//
// Options: --check (compare with the committed fixtures instead of writing them; exit 1 on a
// difference), --cases N (cases per form, default 64), --only TEXT (forms whose text contains
// TEXT; implies a dry run that prints the results).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FORMS } from './forms.mjs';
import { buildCase, STATUS } from './cases.mjs';
import { CODE_BASE, CODE_END, CODE_MAP, DATA_BASE, DATA_SIZE, PAD_SIZE, REGS, background, fnv1a, mulberry32 } from './prng.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const outDir = join(root, 'test/fixtures/vectors');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const CHECK = args.includes('--check');
const ONLY = opt('--only');
const NCASES = Number(opt('--cases') ?? 64);
const RF = 0x10000n;
const t0 = Date.now();

function fail(msg) {
  console.error(`vectors: ${msg}`);
  process.exit(1);
}
function need(cmd) {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) fail(`${cmd} is needed (apt-get install ${cmd})`);
}
need('gcc');
need('nasm');
if (process.arch !== 'x64' || process.platform !== 'linux') fail('the oracle runs on x86-64 Linux only');

const forms = ONLY ? FORMS.filter((f) => f.asm.includes(ONLY)) : FORMS;
{
  const seen = new Set();
  for (const f of forms) {
    if (seen.has(f.asm)) fail(`duplicate form: ${f.asm}`);
    seen.add(f.asm);
  }
}

// 1. Assemble. Each form gets a 32-byte slot: the instruction, zero fill, its length in byte 31.
const tmp = mkdtempSync(join(tmpdir(), 'kstack-vectors-'));
const SLOT = 32;
const nasmText = (asm) =>
  asm.replace(/\[rel (0x[0-9a-f]+)\]/g, (_, a) => `[rel $$ + (${a} - 0x${CODE_BASE.toString(16)})]`);
{
  const lines = ['bits 64'];
  const lineOf = [];
  forms.forEach((f, i) => {
    lines.push(`section s${i} start=${i * SLOT} vstart=0x${CODE_BASE.toString(16)}`);
    lines.push(f.db ? `db ${f.db.split(' ').map((b) => '0x' + b).join(', ')}` : nasmText(f.asm));
    lineOf[lines.length] = f;
    lines.push(`e${i}:`, `times ${SLOT - 1}-($-$$) db 0`, `db e${i}-$$`);
  });
  writeFileSync(join(tmp, 'forms.asm'), lines.join('\n') + '\n');
  const r = spawnSync('nasm', ['-f', 'bin', '-O0', '-w-all', '-o', join(tmp, 'forms.bin'), join(tmp, 'forms.asm')], { encoding: 'utf8' });
  if (r.status !== 0) {
    const msgs = r.stderr.split('\n').filter(Boolean).map((l) => {
      const m = /forms\.asm:(\d+):/.exec(l);
      return m && lineOf[Number(m[1])] ? `${lineOf[Number(m[1])].asm}: ${l}` : l;
    });
    fail(`nasm failed:\n${msgs.join('\n')}`);
  }
  const bin = readFileSync(join(tmp, 'forms.bin'));
  forms.forEach((f, i) => {
    const len = bin[i * SLOT + SLOT - 1];
    if (!(len >= 1 && len <= 15)) fail(`${f.asm}: bad length ${len}`);
    f.bytes = Uint8Array.from(bin.subarray(i * SLOT, i * SLOT + len));
    f.hex = Buffer.from(f.bytes).toString('hex');
    // Landing pads must not overlap the instruction or each other, and must fit the code map.
    const spans = [[CODE_BASE, CODE_BASE + len], [CODE_BASE + len, CODE_BASE + len + PAD_SIZE]];
    for (const t of f.targets ?? []) spans.push([t, t + PAD_SIZE]);
    for (let a = 0; a < spans.length; a++) {
      if (spans[a][0] < CODE_MAP || spans[a][1] > CODE_END) fail(`${f.asm}: landing pad outside the code map`);
      for (let b = a + 1; b < spans.length; b++)
        if (spans[a][0] < spans[b][1] && spans[b][0] < spans[a][1]) fail(`${f.asm}: landing pads overlap`);
    }
  });
}

// 2. Cases.
const hex = (v) => BigInt.asUintN(64, BigInt(v)).toString(16);
const all = [];
for (const f of forms) {
  const rng = mulberry32(fnv1a(new TextEncoder().encode(f.asm)));
  f.cases = [];
  for (let i = 0; i < NCASES; i++) {
    const seed = rng();
    let c;
    try {
      c = buildCase(f, rng, seed);
    } catch (e) {
      fail(`${f.asm}: ${e.message}`);
    }
    c.regsIn = c.regs();
    f.cases.push(c);
    all.push({ f, c });
  }
}

// 3. Run natively.
const exe = join(tmp, 'harness');
execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', exe, join(here, 'harness.c')], { stdio: 'inherit' });
const input = all
  .map(({ f, c }) => {
    const patches = runs(c.patches);
    return [
      f.hex, hex(c.rflags), hex(c.seed), ...c.regsIn.map(hex),
      hex((f.targets ?? []).length), ...(f.targets ?? []).map(hex),
      hex(patches.length), ...patches.flatMap(([o, b]) => [hex(o), b]),
    ].join(' ');
  })
  .join('\n') + '\n';
const run = spawnSync(exe, [], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
if (run.status !== 0) fail(`harness exited with ${run.status} ${run.signal ?? ''}\n${run.stderr}`);
const outLines = run.stdout.split('\n').filter(Boolean);
if (outLines.length !== all.length) fail(`harness answered ${outLines.length} of ${all.length} cases`);

/** Map of offset -> byte to sorted runs [offset, hex]. */
function runs(map) {
  const offs = [...map.keys()].sort((a, b) => a - b);
  const out = [];
  for (const o of offs) {
    const last = out[out.length - 1];
    const b = map.get(o).toString(16).padStart(2, '0');
    if (last && last[0] + last[1].length / 2 === o) last[1] += b;
    else out.push([o, b]);
  }
  return out;
}

// 4. Check and record.
const errors = [];
all.forEach(({ f, c }, i) => {
  const t = outLines[i].split(' ');
  const trap = t[0];
  const sig = Number(t[1]);
  const rip = BigInt('0x' + t[2]);
  const flags = BigInt('0x' + t[3]) & ~RF;
  const regs = t.slice(4, 20).map((x) => BigInt('0x' + x));
  const [hashIn, hashOut] = [t[20], t[21]];
  const nruns = parseInt(t[22], 16);
  const mem = [];
  for (let k = 0; k < nruns; k++) mem.push([parseInt(t[23 + 2 * k], 16), t[24 + 2 * k]]);
  const where = `${f.asm} case ${f.cases.indexOf(c)}`;
  if (hashIn !== fnv1a(c.data).toString(16).padStart(8, '0')) errors.push(`${where}: the harness's data region differs from the generator's`);
  const fall = BigInt(CODE_BASE + f.bytes.length);
  let exc = '-';
  if (sig !== 0) {
    if (!(f.de && trap === '0' && sig === 8)) {
      errors.push(`${where}: signal ${sig} trap ${trap} at ${rip.toString(16)}`);
      return;
    }
    exc = '0';
    if (rip !== BigInt(CODE_BASE) || regs.some((v, k) => v !== c.regsIn[k]) || mem.length)
      errors.push(`${where}: #DE changed the state`);
  } else if (rip !== fall && !(f.targets ?? []).some((a) => BigInt(a) === rip)) {
    errors.push(`${where}: RIP ${rip.toString(16)} is not a landing pad`);
  }
  const overrides = [...c.over.keys()].sort((a, b) => a - b).map((k) => `${REGS[k]}=${hex(c.regsIn[k])}`);
  const changed = regs.map((v, k) => (v !== c.regsIn[k] ? `${REGS[k]}=${hex(v)}` : null)).filter(Boolean);
  // Undefined flags: the form's mask; none when the instruction faulted (nothing changes).
  const undef = exc === '-' ? c.undef & STATUS : 0;
  if (c.undef & ~STATUS) errors.push(`${where}: undefined mask ${c.undef.toString(16)} beyond the status flags`);
  c.line = [
    hex(c.seed).padStart(8, '0'), hex(c.rflags), overrides.join(',') || '-',
    runs(c.patches).map(([o, b]) => `${hex(o)}:${b}`).join(',') || '-',
    exc, hex(rip), hex(flags), hex(undef), changed.join(',') || '-',
    mem.map(([o, b]) => `${hex(o)}:${b}`).join(',') || '-', hashOut,
  ].join(' ');
  c.exc = exc;
});
if (errors.length) fail(`${errors.length} problems:\n${errors.slice(0, 40).join('\n')}`);
rmSync(tmp, { recursive: true, force: true });

if (ONLY) {
  for (const f of forms) {
    console.log(`F ${f.hex} ${f.asm}`);
    for (const c of f.cases) console.log(c.line);
  }
  process.exit(0);
}

// The P line: check values for the background generator (seed, data hash, the 16 registers).
const pSeed = 0x1234abcd;
const pBg = background(pSeed);
const pLine = `P ${hex(pSeed)} ${fnv1a(pBg.data).toString(16).padStart(8, '0')} ${pBg.regs.map(hex).join(' ')}`;
const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? 'unknown CPU';
const families = [...new Set(forms.map((f) => f.fam))];
const files = {};
for (const fam of families) {
  const lines = [
    `# KStack x86-64 instruction test vectors, family '${fam}': recorded on ${cpu} by \`npm run vectors\`.`,
    '# Do not edit; regenerate. Format: scripts/vectors/README.md.',
    `V 1 ${hex(DATA_BASE)} ${hex(DATA_SIZE)} ${hex(CODE_BASE)}`,
    pLine,
  ];
  for (const f of forms.filter((x) => x.fam === fam)) {
    lines.push(`F ${f.hex} ${f.asm}`);
    for (const c of f.cases) lines.push(c.line);
  }
  files[`${fam}.txt`] = lines.join('\n') + '\n';
}

let stale = 0;
if (CHECK) {
  // Compare everything but the header (the CPU name may differ).
  const body = (s) => s.split('\n').filter((l) => !l.startsWith('#')).join('\n');
  for (const [name, text] of Object.entries(files)) {
    let old = '';
    try {
      old = readFileSync(join(outDir, name), 'utf8');
    } catch {}
    if (body(old) !== body(text)) {
      stale++;
      const a = body(old).split('\n'), b = body(text).split('\n');
      const k = a.findIndex((l, j) => l !== b[j]);
      console.error(`${name}: differs at line ${k + 1}:\n  committed: ${a[k]}\n  this CPU:  ${b[k]}`);
    }
  }
} else {
  mkdirSync(outDir, { recursive: true });
  for (const name of readdirSync(outDir)) if (name.endsWith('.txt') && !files[name]) rmSync(join(outDir, name));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(outDir, name), text);
}

let total = 0;
for (const fam of families) {
  const fs = forms.filter((f) => f.fam === fam);
  const n = fs.reduce((s, f) => s + f.cases.length, 0);
  const de = fs.reduce((s, f) => s + f.cases.filter((c) => c.exc !== '-').length, 0);
  const size = Buffer.byteLength(files[`${fam}.txt`]);
  total += size;
  console.log(`${fam.padEnd(8)} ${String(fs.length).padStart(4)} forms ${String(n).padStart(6)} cases${de ? ` (${de} #DE)` : ''} ${(size / 1024).toFixed(0).padStart(6)} KiB`);
}
console.log(`${forms.length} forms, ${all.length} cases, ${(total / 1048576).toFixed(2)} MiB, ${((Date.now() - t0) / 1000).toFixed(1)} s${CHECK ? (stale ? `, ${stale} files differ` : ', fixtures match') : `, written to ${outDir}`}`);
if (stale) process.exit(1);
