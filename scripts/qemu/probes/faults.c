// User-mode probe of this machine's CPU: the vector, error code, saved RIP and saved RFLAGS the
// hardware reports for exception cases that the test kernels exercise at CPL0 (the kernels run
// under QEMU, whose TCG is not the hardware; see test/kernels/README.md).
// Linux hands a signal handler what the CPU pushed: gregs[REG_TRAPNO] (vector), [REG_ERR] (error
// code), [REG_RIP], [REG_EFL] (RFLAGS as pushed, RF included). #SS arrives as SIGBUS, #GP and
// #PF as SIGSEGV, #DB and #BP as SIGTRAP.
//   gcc -O1 -o /tmp/faults scripts/qemu/probes/faults.c && /tmp/faults
// "at=+0" means the saved RIP is the instruction labelled 2: (a fault); "+n" that it is n bytes on.
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile long trapno, err, sig;
static volatile uint64_t rip, efl;
uint64_t probe_label;

static void handler(int s, siginfo_t *si, void *uc_) {
  ucontext_t *uc = uc_;
  (void)si;
  sig = s;
  trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
  err = uc->uc_mcontext.gregs[REG_ERR];
  rip = uc->uc_mcontext.gregs[REG_RIP];
  efl = uc->uc_mcontext.gregs[REG_EFL];
  siglongjmp(env, 1);
}

static const char *signame(long s) {
  return s == SIGSEGV ? "SIGSEGV" : s == SIGBUS ? "SIGBUS" : s == SIGTRAP ? "SIGTRAP"
       : s == SIGILL ? "SIGILL" : "?";
}

// body: AT&T assembly with the instruction of interest labelled "2:"; %rdi holds `arg`.
#define PROBE(name, arg, body)                                                              \
  do {                                                                                      \
    sig = 0;                                                                                \
    if (sigsetjmp(env, 1) == 0) {                                                           \
      __asm__ volatile("lea 2f(%%rip), %%r11\n mov %%r11, probe_label(%%rip)\n"             \
                       "push %%rbp\n mov %%rsp, %%r12\n" body "\n mov %%r12, %%rsp\n pop %%rbp\n" \
                       : : "D"(arg) : "rax", "rbx", "rcx", "rdx", "rsi", "r8", "r9", "r10", \
                         "r11", "r12", "memory", "cc");                                     \
      printf("%-46s no exception\n", name);                                                 \
    } else {                                                                                \
      printf("%-46s %-7s trapno=%-2ld err=0x%-4lx rflags=0x%-5lx RF=%d at=+%ld\n", name,    \
             signame(sig), trapno, err, (unsigned long)efl, (int)((efl >> 16) & 1),         \
             (long)(rip - probe_label));                                                    \
    }                                                                                       \
  } while (0)

int main(void) {
  static char altstack[65536];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
  sigaltstack(&ss, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = handler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigaction(SIGSEGV, &sa, 0);
  sigaction(SIGBUS, &sa, 0);
  sigaction(SIGTRAP, &sa, 0);
  sigaction(SIGILL, &sa, 0);
  setvbuf(stdout, 0, _IONBF, 0);

  char *ro = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *none = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *nx = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  nx[0] = (char)0xC3;
  munmap(none, 4096);

  // LDT: entry 1 present, entry 2 not present (writable data, DPL3). On the Firecracker guest
  // kernel this was written on, modify_ldt succeeds but the LDT never becomes usable (LAR fails
  // and `mov ds, 0x0f` faults), so the LDT cases below behave as "selector beyond the LDT limit".
  struct user_desc d;
  memset(&d, 0, sizeof d);
  d.entry_number = 1;
  d.limit = 0xFFFFF;
  d.seg_32bit = 1;
  d.limit_in_pages = 1;
  d.useable = 1;
  long r1 = syscall(SYS_modify_ldt, 1, &d, sizeof d);
  d.entry_number = 2;
  d.seg_not_present = 1;
  long r2 = syscall(SYS_modify_ldt, 1, &d, sizeof d);
  printf("modify_ldt -> %ld %ld (LDT: 0x0f present, 0x17 not present, limit 0x17)\n", r1, r2);

  PROBE("#PF read of an unmapped page", none, "2: movb (%%rdi), %%al");
  PROBE("#PF write to a read-only page", ro, "2: movb $1, (%%rdi)");
  PROBE("#PF fetch from a no-execute page (at=target)", nx, 
        "mov %%rdi, probe_label(%%rip)\n 2: call *%%rdi");
  PROBE("non-canonical load, rax base", 0,
        "movabs $0x8000000000000000, %%rax\n 2: movq (%%rax), %%rax");
  PROBE("non-canonical load, rbp base", 0,
        "movabs $0x8000000000000000, %%rbp\n 2: movq (%%rbp), %%rax");
  PROBE("non-canonical load, rsp base", 0,
        "movabs $0x8000000000000000, %%rsp\n 2: movq (%%rsp), %%rax");
  PROBE("non-canonical push (rsp)", 0, "movabs $0x8000000000000000, %%rsp\n 2: push %%rax");
  PROBE("non-canonical load, rbp base, ds: override", 0,
        "movabs $0x8000000000000000, %%rbp\n 2: movq %%ds:(%%rbp), %%rax");
  PROBE("non-canonical load, rax base, ss: override", 0,
        "movabs $0x8000000000000000, %%rax\n 2: movq %%ss:(%%rax), %%rax");
  PROBE("mov ss, 0x17 (LDT, not present)", 0, "mov $0x17, %%eax\n 2: mov %%eax, %%ss");
  PROBE("mov ds, 0x17 (LDT, not present)", 0, "mov $0x17, %%eax\n 2: mov %%eax, %%ds");
  PROBE("mov ds, 0x1fb (GDT, beyond limit)", 0, "mov $0x1fb, %%eax\n 2: mov %%eax, %%ds");
  PROBE("mov ds, 0x3f (LDT, beyond limit)", 0, "mov $0x3f, %%eax\n 2: mov %%eax, %%ds");
  PROBE("int $0x81 (gate DPL 0)", 0, "2: int $0x81");
  PROBE("wrmsr at CPL3", 0, "xor %%eax, %%eax\n xor %%edx, %%edx\n mov $0x10, %%ecx\n 2: wrmsr");
  PROBE("hlt at CPL3", 0, "2: hlt");
  PROBE("int3", 0, "2: int3");
  PROBE("int $3", 0, "2: int $3");
  PROBE("single-step after popf sets TF", 0,
        "pushf\n orq $0x100, (%%rsp)\n popf\n 2: nop\n nop");
  PROBE("ud2", 0, "2: ud2");
  return 0;
}
