; 06-machine-check: #MC (vector 18) on the MCE_STACK (IST5), injected by the debugger.
;
; The note: "MCE can be delivered at any time, including when the kernel is in the middle of
; switching stacks. Using IST for MCE events avoids making assumptions about the previous state
; of the kernel stack." A machine check is the hardware reporting an error (a bad memory read, a
; cache parity error): nothing in the program raises it, so KStack injects one, as QEMU's `mce`
; monitor command does:
;
;   kstack run --inject mc@rip=mc_wait examples/06-machine-check.asm
;   launch.json: "inject": [{ "kind": "mc", "at": "mc_wait" }]     (or the Inject Machine Check
;   command while the program runs)
;
; What it does:
;   1. main sets CR4.MCE (without it a machine check shuts the CPU down) and spins at mc_wait.
;   2. The injected #MC runs mc_handler on mce_stack_top-0x28 (no error code). MCG_STATUS has
;      RIPV (the saved RIP is good to return to) and MCIP (a machine check is in progress: a
;      second one now would shut the CPU down); bank 0's MC0_STATUS says what happened.
;   3. The handler logs the bank, clears MC0_STATUS and MCIP, and returns; main stops waiting.
;      Without an injection the example waits for ever (kstack run: use --max-instructions).
;
; Watch for (F5 on "06 machine check"; it stops on #MC, see stopOnExceptions):
;   - the stop on #MC: the frame's RIP is mc_wait; Continue to the handler on IST5.
;   - a breakpoint after each RDMSR in mc_handler: RAX holds MCG_STATUS, then MC0_STATUS.

%define EXAMPLE_NAME "06-machine-check"
%include "lib/kernel.inc"

MSR_MCG_STATUS  equ 0x17A
MSR_MC0_STATUS  equ 0x401       ; bank n: CTL 0x400+4n, STATUS +1, ADDR +2, MISC +3
CR4_MCE         equ 1 << 6

SYM main
    SET_GATE 18, mc_handler, 5, GATE_INT    ; #MC: IST5
    mov rax, cr4
    or eax, CR4_MCE
    mov cr4, rax
    PUTSLN "waiting for a machine check at mc_wait..."
    SET_RFLAGS 0x2
SYM mc_wait
    cmp byte [mc_seen], 0       ; the injected #MC arrives here, before this instruction
    je mc_wait
    PUTSLN "main: survived the machine check"
    xor eax, eax
    ret

; #MC: no error code. [rsp] = RIP CS RFLAGS RSP SS.
SYM mc_handler
    mov rbp, rsp
    PADDR "#MC: rsp at entry=", rbp
    PUTS 10
    PUTS "#MC: frame "
    mov rdi, rbp
    call print_frame
    PUTS 10
    mov ecx, MSR_MCG_STATUS
    rdmsr
    PHEX "#MC: MCG_STATUS=", rax
    PUTS " (RIPV=1 MCIP=4)", 10
    mov ecx, MSR_MC0_STATUS
    rdmsr
    shl rdx, 32
    or rax, rdx
    PHEX "#MC: MC0_STATUS=", rax
    PUTS " (VAL=bit 63, UC=bit 61, PCC=bit 57)", 10
    xor eax, eax
    xor edx, edx
    mov ecx, MSR_MC0_STATUS
    wrmsr                       ; the error is logged: clear the bank
    mov ecx, MSR_MCG_STATUS
    wrmsr                       ; MCIP = 0: a later machine check is an #MC again, not a shutdown
    mov byte [mc_seen], 1
    iretq

section .data
mc_seen: db 0
