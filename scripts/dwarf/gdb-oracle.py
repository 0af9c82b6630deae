# KStack DWARF fixtures: what gdb says about a program, as JSON (the oracle for the DWARF readers).
#
#   gdb -batch -nx -ex 'python OUT="x.gdb.json"; BREAKS=["file.c:12", ...]; FUNCS=[...]; GLOBALS=[...]' \
#       -x scripts/dwarf/gdb-oracle.py program.elf
#
# With TARGET="| qemu-system-x86_64 -gdb stdio -S ..." the program is a kernel run by QEMU (gdb's
# `target remote`) instead of a process on this machine; SKIP_SECTIONS names sections not dumped.
#
# Static part (no process): for each function, `info scope`, and the source position gdb finds for
# each of its line-table addresses. Runtime part (the program runs under gdb on this machine): at
# the first hit of each breakpoint, the backtrace (pc, CFA, callee-saved registers per frame),
# frame 0's registers, the stack and writable data as bytes, and every variable in scope in every
# frame with its type (whatis, ptype), address and value tree; plus the globals.
import json
import re

import gdb

gdb.execute("set pagination off")
gdb.execute("set width 0")
gdb.execute("set print elements 200")
gdb.execute("set print repeats unlimited")
gdb.execute("set confirm off")

MAX_ELEMENTS = 16
MAX_DEPTH = 6
CALLEE = ["rbx", "rbp", "r12", "r13", "r14", "r15"]
REGS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "eflags",
        "cs", "ss", "ds", "es", "fs", "gs"]


def run(cmd):
    try:
        return gdb.execute(cmd, to_string=True)
    except gdb.error as e:
        return "error: " + str(e)


def as_int(v):
    return int(v.cast(gdb.lookup_type("unsigned long")))


def tree(v, name, depth=0):
    node = {"name": name, "type": str(v.type)}
    st = v.type.strip_typedefs()
    try:
        a = v.address
        if a is not None:
            node["address"] = hex(as_int(a))
    except gdb.error:
        pass
    try:
        # aggregates are walked even when partly optimized out: their leaves say which parts are
        if st.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION) and depth < MAX_DEPTH:
            node["children"] = [tree(v[f], f.name if f.name else "<anonymous>", depth + 1) for f in st.fields()]
        elif st.code == gdb.TYPE_CODE_ARRAY and depth < MAX_DEPTH:
            lo, hi = st.range()
            node["children"] = [tree(v[i], "[%d]" % i, depth + 1) for i in range(lo, min(hi, lo + MAX_ELEMENTS - 1) + 1)]
        else:
            node["value"] = str(v)
    except gdb.error as e:
        node["value"] = "<error: %s>" % e
        node.pop("children", None)
    return node


def block_symbols(block):
    out = []
    for sym in block:
        if not (sym.is_variable or sym.is_argument) or sym.addr_class == gdb.SYMBOL_LOC_TYPEDEF:
            continue
        out.append(sym)
    return out


def frame_vars(frame):
    frame.select()
    scopes = []
    try:
        block = frame.block()
    except RuntimeError:
        return scopes
    while block is not None:
        syms = []
        for sym in block_symbols(block):
            entry = {"name": sym.name, "argument": bool(sym.is_argument), "whatis": str(sym.type),
                     "ptype": run("ptype " + sym.name).strip()}
            try:
                entry["tree"] = tree(sym.value(frame), sym.name)
                entry["print"] = str(sym.value(frame))
            except Exception as e:  # noqa: BLE001 (gdb raises several kinds)
                entry["tree"] = {"name": sym.name, "type": str(sym.type), "value": "<error: %s>" % e}
            syms.append(entry)
        scopes.append({"start": hex(block.start), "end": hex(block.end),
                       "function": block.function.name if block.function else None, "symbols": syms})
        if block.function is not None:
            break
        block = block.superblock
    return scopes


def frame_cfa(frame):
    frame.select()
    m = re.search(r"frame at (0x[0-9a-f]+)", run("info frame"))
    return m.group(1) if m else None


def frame_regs(frame, names):
    out = {}
    for r in names:
        try:
            v = frame.read_register(r)
            if v.is_optimized_out:
                continue
            out[r] = hex(int(v) & 0xFFFFFFFFFFFFFFFF)
        except (gdb.error, ValueError):
            pass
    return out


def section_ranges():
    out = []
    for line in run("maint info sections").splitlines():
        m = re.search(r"(0x[0-9a-f]+)->(0x[0-9a-f]+) at (0x[0-9a-f]+): (\S+) (.*)", line)
        if m and "ALLOC" in m.group(5) and "READONLY" not in m.group(5) and "CODE" not in m.group(5):
            out.append((int(m.group(1), 16), int(m.group(2), 16), m.group(4)))
    return out


def dump(inf, lo, hi):
    try:
        return {"address": hex(lo), "bytes": inf.read_memory(lo, hi - lo).tobytes().hex()}
    except gdb.MemoryError:
        return None


result = {"functions": [], "stops": [], "globals": []}

# ---- static
for fn in FUNCS:  # noqa: F821 (set by the caller)
    sym = gdb.lookup_global_symbol(fn) or gdb.lookup_static_symbol(fn)
    entry = {"name": fn}
    if sym is not None and sym.type is not None:
        entry["whatis"] = str(sym.type)
        low = int(sym.value().address)
        # at the function's first address (`info scope NAME` would use the end of the prologue)
        entry["scope"] = run("info scope *%s" % hex(low))
        block = gdb.block_for_pc(low)
        if block is not None:
            # up to the function's own block (past lexical blocks and inlined calls at its start)
            while (block.function is None or block.function.name != fn) and block.superblock is not None \
                    and not block.superblock.is_static:
                block = block.superblock
            entry["low"] = hex(block.start)
            entry["high"] = hex(block.end)
            lines = []
            seen = set()
            for line in run("disassemble /s %s" % fn).splitlines():
                m = re.match(r"\s+(0x[0-9a-f]+) <", line)
                if m and m.group(1) not in seen:
                    seen.add(m.group(1))
                    sal = gdb.find_pc_line(int(m.group(1), 16))
                    if sal.symtab is not None:
                        lines.append([m.group(1), sal.symtab.fullname(), sal.line])
            entry["lines"] = lines
            blocks = []
            for pc_text in sorted(seen):
                b = gdb.block_for_pc(int(pc_text, 16))
                if b is not None and b.function is None and not any(x["start"] == hex(b.start) for x in blocks):
                    blocks.append({"start": hex(b.start), "end": hex(b.end),
                                   "symbols": [s.name for s in block_symbols(b)],
                                   "scope": run("info scope *%s" % hex(b.start))})
            entry["blocks"] = blocks
    result["functions"].append(entry)

for name in GLOBALS:  # noqa: F821
    sym = gdb.lookup_global_symbol(name) or gdb.lookup_static_symbol(name)
    if sym is None:
        continue
    result["globals"].append({"name": name, "whatis": str(sym.type), "ptype": run("ptype " + name).strip(),
                              "scope_static": sym.symtab.filename if sym.symtab else None})

# ---- runtime
if BREAKS:  # noqa: F821
    for b in BREAKS:  # noqa: F821
        gdb.execute("break " + b, to_string=True)
    if globals().get("TARGET"):
        gdb.execute("target remote " + TARGET, to_string=True)  # noqa: F821
        gdb.execute("continue", to_string=True)
    else:
        gdb.execute("unset environment", to_string=True)
        gdb.execute("run", to_string=True)
    seen = set()
    for _ in range(64):
        inf = gdb.selected_inferior()
        if not inf.is_valid() or inf.pid == 0:
            break
        try:
            frame = gdb.newest_frame()
        except gdb.error:
            break
        sal = frame.find_sal()
        where = "%s:%d" % (sal.symtab.filename if sal.symtab else "?", sal.line)
        if where not in seen:
            seen.add(where)
            stop = {"where": where, "pc": hex(frame.pc()), "registers": frame_regs(frame, REGS), "frames": []}
            f = frame
            level = 0
            while f is not None and level < 32:
                stop["frames"].append({"level": level, "pc": hex(f.pc()), "function": f.name(), "cfa": frame_cfa(f),
                                       "inline": f.type() == gdb.INLINE_FRAME,
                                       "registers": frame_regs(f, ["rip", "rsp"] + CALLEE),
                                       "scopes": frame_vars(f)})
                f = f.older()
                level += 1
            frame.select()
            rsp = int(frame.read_register("rsp"))
            mem = []
            # The stacks the frames use, up to just above the outermost CFA (not the environment or
            # auxv of a process above it).
            sps = [int(x["registers"]["rsp"], 16) for x in stop["frames"] if "rsp" in x["registers"]] + [rsp]
            cfas = [int(x["cfa"], 16) for x in stop["frames"] if x["cfa"]]
            lo = min(sps) - 256
            top = max(cfas) + 16 if cfas else rsp + 256
            d = dump(inf, lo, min(top, lo + 65536))
            if d:
                mem.append(d)
            for lo, hi, name in section_ranges():
                if name in globals().get("SKIP_SECTIONS", []):
                    continue
                d = dump(inf, lo, hi)
                if d:
                    mem.append(d)
            stop["memory"] = mem
            stop["globals"] = []
            for name in GLOBALS if len(result["stops"]) == 0 else []:  # noqa: F821 (values at the first stop)
                sym = gdb.lookup_global_symbol(name) or gdb.lookup_static_symbol(name)
                if sym is not None:
                    stop["globals"].append({"name": name, "tree": tree(sym.value(), name), "print": str(sym.value())})
            result["stops"].append(stop)
        try:
            gdb.execute("continue", to_string=True)
        except gdb.error:
            break

with open(OUT, "w") as fh:  # noqa: F821
    json.dump(result, fh, indent=1, sort_keys=True)
    fh.write("\n")
