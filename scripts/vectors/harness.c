// Native oracle for KStack's test vectors: runs one instruction at a time on this machine's CPU.
//
// Input (stdin), one case per line, numbers in hex:
//   <code bytes> <rflags> <seed> <r0> .. <r15> <npads> <pad>.. <npatches> (<offset> <bytes>)..
// Output (stdout), one line per case:
//   <trapno|-> <signal> <rip> <rflags> <r0> .. <r15> <hash in> <hash out> <nruns> (<offset> <bytes>)..
// Registers are in hardware order (rax rcx rdx rbx rsp rbp rsi rdi r8..r15).
//
// Memory layout (all MAP_FIXED_NOREPLACE, so nothing of the harness lives there):
//   DATA  0x100000..0x101000  the data region every memory operand and the stack point into. Its
//                             contents come from the case's seed (mulberry32, the same generator
//                             the generator and the test implement), then the case's patches.
//   CODE  0x1ff000..0x202000  0xCC everywhere, the instruction at 0x200000, a landing pad at the
//                             fall-through address and at each branch target the case lists.
//   CTL   0x300000..0x302000  the in/out register blocks and the harness's private stack.
//
// run_case (below, in assembly) saves the host's callee-saved registers, loads RFLAGS and all 16
// GPRs from CTL, and jumps to 0x200000. A landing pad stores RAX, records its own address (the
// RIP after the instruction), and jumps to save_rest, which stores the other registers and RFLAGS
// (on CTL's stack, so the data region sees only the instruction's own writes) and returns to C.
// A fault (#DE from DIV/IDIV, or anything unexpected) arrives as a signal on an alternate stack;
// the handler copies the register state from the ucontext and siglongjmps back.
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define DATA_BASE 0x100000UL
#define DATA_SIZE 0x1000UL
#define CODE_MAP 0x1ff000UL
#define CODE_MAP_SIZE 0x3000UL
#define CODE_BASE 0x200000UL
#define CTL_BASE 0x300000UL
#define CTL_SIZE 0x2000UL

// CTL block offsets (must match the assembly below).
#define CTL_IN_REGS 0x000
#define CTL_IN_RFLAGS 0x080
#define CTL_ENTRY 0x088
#define CTL_CONT 0x090
#define CTL_HOST_RSP 0x098
#define CTL_PAD 0x0a0
#define CTL_OUT_REGS 0x100
#define CTL_OUT_RFLAGS 0x180

void run_case(void);
void save_rest(void);

__asm__(
    ".text\n"
    ".globl run_case\n"
    ".type run_case,@function\n"
    "run_case:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
    "  mov %rsp, 0x300098\n"
    "  mov $0x302000, %rsp\n"
    "  pushq 0x300080\n"
    "  popfq\n"
    "  mov 0x300000, %rax\n  mov 0x300008, %rcx\n  mov 0x300010, %rdx\n  mov 0x300018, %rbx\n"
    "  mov 0x300028, %rbp\n  mov 0x300030, %rsi\n  mov 0x300038, %rdi\n"
    "  mov 0x300040, %r8\n  mov 0x300048, %r9\n  mov 0x300050, %r10\n  mov 0x300058, %r11\n"
    "  mov 0x300060, %r12\n  mov 0x300068, %r13\n  mov 0x300070, %r14\n  mov 0x300078, %r15\n"
    "  mov 0x300020, %rsp\n"
    "  jmp *0x300088\n"
    ".globl save_rest\n"
    ".type save_rest,@function\n"
    "save_rest:\n"
    "  mov %rcx, 0x300108\n  mov %rdx, 0x300110\n  mov %rbx, 0x300118\n  mov %rsp, 0x300120\n"
    "  mov %rbp, 0x300128\n  mov %rsi, 0x300130\n  mov %rdi, 0x300138\n"
    "  mov %r8, 0x300140\n  mov %r9, 0x300148\n  mov %r10, 0x300150\n  mov %r11, 0x300158\n"
    "  mov %r12, 0x300160\n  mov %r13, 0x300168\n  mov %r14, 0x300170\n  mov %r15, 0x300178\n"
    "  mov $0x302000, %rsp\n"
    "  pushfq\n"
    "  popq 0x300180\n"
    "  cld\n"
    "  mov 0x300098, %rsp\n"
    "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
    "  ret\n");

static volatile uint64_t *const ctl = (volatile uint64_t *)CTL_BASE;
static uint8_t *const data = (uint8_t *)DATA_BASE;
static uint8_t *const code = (uint8_t *)CODE_MAP;

static sigjmp_buf jb;
static volatile int fault_sig;
static volatile long fault_trapno;
static volatile uint64_t fault_rip, fault_rflags, fault_regs[16];

static void on_fault(int sig, siginfo_t *si, void *ucv) {
  (void)si;
  ucontext_t *uc = (ucontext_t *)ucv;
  greg_t *g = uc->uc_mcontext.gregs;
  static const int order[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                                REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                                REG_R12, REG_R13, REG_R14, REG_R15};
  for (int i = 0; i < 16; i++) fault_regs[i] = (uint64_t)g[order[i]];
  fault_rip = (uint64_t)g[REG_RIP];
  fault_rflags = (uint64_t)g[REG_EFL];
  fault_trapno = (long)g[REG_TRAPNO];
  fault_sig = sig;
  siglongjmp(jb, 1);
}

// mulberry32: the data region's contents, 1024 little-endian words from the case's seed.
static uint32_t mb_state;
static uint32_t mb_next(void) {
  uint32_t t = (mb_state += 0x6D2B79F5u);
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return t ^ (t >> 14);
}

static __attribute__((noinline)) uint32_t fnv1a(const uint8_t *p, size_t n) {
  uint32_t h = 0x811c9dc5u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x01000193u;
  return h;
}

static void *map_fixed(uint64_t addr, size_t size, int prot) {
  void *p = mmap((void *)addr, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p != (void *)addr) {
    fprintf(stderr, "harness: cannot map 0x%lx (got %p)\n", (unsigned long)addr, p);
    exit(2);
  }
  return p;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static size_t parse_bytes(const char *s, uint8_t *out, size_t max) {
  size_t n = 0;
  while (hexval(s[0]) >= 0 && hexval(s[1]) >= 0) {
    if (n >= max) {
      fprintf(stderr, "harness: byte string too long\n");
      exit(2);
    }
    out[n++] = (uint8_t)(hexval(s[0]) * 16 + hexval(s[1]));
    s += 2;
  }
  return n;
}

static char *tok(char **p) {
  char *s = *p;
  while (*s == ' ') s++;
  if (!*s || *s == '\n') {
    fprintf(stderr, "harness: short input line\n");
    exit(2);
  }
  char *e = s;
  while (*e && *e != ' ' && *e != '\n') e++;
  if (*e) *e++ = 0;
  *p = e;
  return s;
}

static uint64_t num(char **p) { return strtoull(tok(p), NULL, 16); }

// The landing pad: mov [0x300100], rax; mov rax, imm32 (its own address); mov [0x3000a0], rax;
// jmp [0x300090]. Moves and jumps leave RFLAGS alone.
static void put_pad(uint64_t addr) {
  if (addr < CODE_MAP || addr + 30 > CODE_MAP + CODE_MAP_SIZE) {
    fprintf(stderr, "harness: pad 0x%lx outside the code map\n", (unsigned long)addr);
    exit(2);
  }
  uint8_t *p = code + (addr - CODE_MAP);
  const uint8_t a[8] = {0x48, 0x89, 0x04, 0x25, 0x00, 0x01, 0x30, 0x00};
  const uint8_t b[3] = {0x48, 0xc7, 0xc0};
  const uint8_t c[8] = {0x48, 0x89, 0x04, 0x25, 0xa0, 0x00, 0x30, 0x00};
  const uint8_t d[7] = {0xff, 0x24, 0x25, 0x90, 0x00, 0x30, 0x00};
  uint32_t imm = (uint32_t)addr;
  memcpy(p, a, 8);
  memcpy(p + 8, b, 3);
  memcpy(p + 11, &imm, 4);
  memcpy(p + 15, c, 8);
  memcpy(p + 23, d, 7);
}

int main(void) {
  map_fixed(DATA_BASE, DATA_SIZE, PROT_READ | PROT_WRITE);
  map_fixed(CODE_MAP, CODE_MAP_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC);
  map_fixed(CTL_BASE, CTL_SIZE, PROT_READ | PROT_WRITE);

  stack_t ss;
  ss.ss_sp = malloc(1 << 16);
  ss.ss_size = 1 << 16;
  ss.ss_flags = 0;
  if (sigaltstack(&ss, NULL) != 0) {
    perror("sigaltstack");
    return 2;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  int sigs[] = {SIGFPE, SIGSEGV, SIGBUS, SIGILL, SIGTRAP};
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);

  static char line[1 << 16];
  static uint8_t before[DATA_SIZE];
  uint8_t insn[32];
  while (fgets(line, sizeof line, stdin)) {
    if (line[0] == '\n' || line[0] == 0) continue;
    char *p = line;
    size_t ilen = parse_bytes(tok(&p), insn, 15);
    uint64_t rflags = num(&p);
    uint32_t seed = (uint32_t)num(&p);
    uint64_t regs[16];
    for (int i = 0; i < 16; i++) regs[i] = num(&p);

    memset(code, 0xcc, CODE_MAP_SIZE);
    memcpy(code + (CODE_BASE - CODE_MAP), insn, ilen);
    put_pad(CODE_BASE + ilen);
    int npads = (int)num(&p);
    for (int i = 0; i < npads; i++) put_pad(num(&p));

    mb_state = seed;
    for (size_t i = 0; i < DATA_SIZE; i += 4) {
      uint32_t w = mb_next();
      memcpy(data + i, &w, 4);
    }
    int npatch = (int)num(&p);
    for (int i = 0; i < npatch; i++) {
      uint64_t off = num(&p);
      uint8_t bytes[DATA_SIZE];
      size_t n = parse_bytes(tok(&p), bytes, DATA_SIZE);
      if (off + n > DATA_SIZE) {
        fprintf(stderr, "harness: patch outside the data region\n");
        return 2;
      }
      memcpy(data + off, bytes, n);
    }
    memcpy(before, data, DATA_SIZE);
    volatile uint32_t hash_in = fnv1a(data, DATA_SIZE);

    for (int i = 0; i < 16; i++) ctl[CTL_IN_REGS / 8 + i] = regs[i];
    ctl[CTL_IN_RFLAGS / 8] = rflags;
    ctl[CTL_ENTRY / 8] = CODE_BASE;
    ctl[CTL_CONT / 8] = (uint64_t)(uintptr_t)save_rest;
    ctl[CTL_PAD / 8] = 0;

    uint64_t out[16], rip, oflags;
    volatile long trapno = -1;
    volatile int sig = 0;
    fault_sig = 0;
    if (sigsetjmp(jb, 1) == 0) {
      run_case();
      for (int i = 0; i < 16; i++) out[i] = ctl[CTL_OUT_REGS / 8 + i];
      rip = ctl[CTL_PAD / 8];
      oflags = ctl[CTL_OUT_RFLAGS / 8];
    } else {
      for (int i = 0; i < 16; i++) out[i] = fault_regs[i];
      rip = fault_rip;
      oflags = fault_rflags;
      trapno = fault_trapno;
      sig = fault_sig;
    }

    if (trapno < 0) printf("-");
    else printf("%lx", trapno);
    printf(" %d %lx %lx", sig, (unsigned long)rip, (unsigned long)oflags);
    for (int i = 0; i < 16; i++) printf(" %lx", (unsigned long)out[i]);
    printf(" %08x %08x", (unsigned)hash_in, fnv1a(data, DATA_SIZE));
    // Changed bytes as runs (runs closer than 4 bytes are merged; the bytes between them are
    // written out with their unchanged values).
    static size_t runs[DATA_SIZE][2];
    int nruns = 0;
    for (size_t i = 0; i < DATA_SIZE; i++) {
      if (data[i] == before[i]) continue;
      if (nruns > 0 && i - runs[nruns - 1][1] < 4) runs[nruns - 1][1] = i + 1;
      else {
        runs[nruns][0] = i;
        runs[nruns][1] = i + 1;
        nruns++;
      }
    }
    printf(" %x", nruns);
    for (int r = 0; r < nruns; r++) {
      printf(" %lx ", (unsigned long)runs[r][0]);
      for (size_t i = runs[r][0]; i < runs[r][1]; i++) printf("%02x", data[i]);
    }
    printf("\n");
  }
  return 0;
}
