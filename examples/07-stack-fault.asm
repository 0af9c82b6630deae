; 07-stack-fault: #SS (vector 12) on the old STACKFAULT_STACK (IST1).
;
; The note: "STACKFAULT_STACK ... Used for interrupt 12 - Stack Fault Exception (#SS). This
; allows the CPU to recover from invalid stack segments. Rarely happens." In 64-bit mode #SS comes
; from a stack reference to a non-canonical address (RSP or RBP gone wild) and from loading SS
; with a segment that is not present. When RSP itself is bad, the handler can only run because
; the CPU takes its stack from TSS.IST1 instead of pushing at the bad RSP. (Linux gave up IST for
; #SS in 4.x; this is the note's kernel.)
;
; What it does:
;   1. `push rax` with RSP = 0x8000000000000000 (non-canonical): #SS(0), a fault: the frame's
;      RIP is the PUSH, its RSP the bad value. The handler resumes at a recovery point with a
;      good RSP (it rewrites the frame's RIP and RSP).
;   2. `mov rax, [rbp]` with a non-canonical RBP: #SS(0) too (RBP-based addresses use SS).
;   3. `mov ss, ax` with the not-present data segment 0x40: #SS with the selector as the error
;      code (0x40).
;   SDM Vol. 3, 6.15, interrupt 12. (QEMU 7.2 raises #GP for the first two: test/kernels/README.md.)
;
; Watch for (F5 on "07 stack fault"; it stops on #SS, see stopOnExceptions):
;   - at the stop RSP is 0x8000000000000000: the Registers scope shows it; Continue: the handler
;     runs on IST1 (stackfault_stack_top-0x30: five quadwords and the error code).
;   - the "IRETQ frame overwritten" filter stops after each IRETQ here: that is ss_handler
;     rewriting its own frame's RIP and RSP on purpose (to recover); uncheck it in BREAKPOINTS.

%define EXAMPLE_NAME "07-stack-fault"
%include "lib/kernel.inc"

SYM main
    SET_GATE 12, ss_handler, 1, GATE_INT    ; #SS: IST1
    mov [good_rsp], rsp

    PUTSLN "-- push with a non-canonical RSP"
    mov qword [resume], after_push
    SET_RFLAGS 0x2              ; known flags in the frame (MOV leaves them alone)
    mov rsp, 0x8000000000000000
SYM bad_push
    push rax
SYM after_push                  ; (the handler comes back here, RSP = good_rsp)

    PUTSLN "-- load through a non-canonical RBP"
    mov qword [resume], after_load
    mov rbp, 0x8000000000000000
    SET_RFLAGS 0x2
SYM bad_load
    mov rax, [rbp]
SYM after_load

    PUTSLN "-- mov ss with a not-present segment"
    mov qword [resume], after_mov_ss
    mov ax, NP_DATA
    SET_RFLAGS 0x2
SYM bad_mov_ss
    mov ss, ax
SYM after_mov_ss
    PDEC "stack faults: ", [ss_count]
    PUTS 10
    xor eax, eax
    cmp qword [ss_count], 3
    setne al
    ret

; #SS: [rsp] = error code, then RIP CS RFLAGS RSP SS.
SYM ss_handler
    mov rbp, rsp
    inc qword [ss_count]
    PADDR "#SS: rsp at entry=", rbp
    PHEX " error=", [rbp]
    PUTS 10
    PUTS "#SS: frame "
    lea rdi, [rbp + 8]
    call print_frame
    PUTS 10
    ; recover: continue at [resume] on the good stack
    mov rax, [resume]
    mov [rbp + 8], rax          ; RIP
    mov rax, [good_rsp]
    mov [rbp + 32], rax         ; RSP
    add rsp, 8                  ; drop the error code
    iretq

section .bss
good_rsp: resq 1
resume: resq 1
ss_count: resq 1
