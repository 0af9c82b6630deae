; db_hw_breakpoint: debug registers. DR0 is an execution breakpoint on bp_target (a fault: #DB
; before the instruction runs, saved RIP = bp_target, DR6.B0); DR1 a data-write breakpoint on
; the quadword `watched` (a trap: #DB after the writing instruction, saved RIP = the next
; instruction, DR6.B1). The #DB handler (IST3) sets RF in the saved RFLAGS for the execution
; breakpoint so that IRETQ resumes without hitting it again; RF is cleared once that instruction
; completes, so the next call to bp_target breaks again. A read of `watched` does not break.
%define KERNEL_NAME "db_hw_breakpoint"
%include "kernel.inc"

DR6_CLEAR equ 0xFFFF0FF0
; DR7: L0 L1, LE GE; R/W0=00 (execute) LEN0=00; R/W1=01 (write) LEN1=10 (8 bytes)
DR7_VALUE equ (1 << 0) | (1 << 2) | (1 << 8) | (1 << 9) | (0b01 << 20) | (0b10 << 22)

section .data
align 8
SYM watched
    dq 0

section .bss
db_count: resq 1

section .text
bits 64
SYM kmain
    GATE 1, db_entry, 3, GATE_INT       ; #DB on IST3
    mov eax, DR6_CLEAR
    mov dr6, rax
    mov eax, bp_target
    mov dr0, rax
    mov eax, watched
    mov dr1, rax
    xor eax, eax
    mov dr2, rax
    mov dr3, rax
    mov eax, DR7_VALUE
    mov dr7, rax
    mov rax, dr0
    PADDR "main: dr0=", rax
    mov rax, dr1
    PADDR " dr1=", rax
    mov rax, dr7
    PHEX " dr7=", rax
    NEWLINE
    SETFLAGS RFLAGS_FIXED
    call bp_target
    PHEX "main: bp_target returned eax=", rax
    NEWLINE
    SETFLAGS RFLAGS_FIXED
    call bp_target
    PHEX "main: bp_target returned again eax=", rax
    NEWLINE
    PUTSLN "main: writing watched"
    SETFLAGS RFLAGS_FIXED
SYM write_insn
    mov qword [watched], 0x5a5a
SYM after_write
    PUTSLN "main: reading watched"
    mov rax, [watched]
    PHEX "main: watched=", rax
    PDEC " debug exceptions=", [db_count]
    NEWLINE
    xor eax, eax
    mov dr7, rax
    cmp qword [db_count], 3
    jne .fail
    mov eax, EXIT_OK
    ret
.fail:
    mov eax, EXIT_FAIL
    ret

SYM bp_target
    mov eax, 0x1234
    ret

SYM db_entry
    SAVE_ALL
    lea rbp, [rsp + SAVE_ALL_SIZE]
    inc qword [db_count]
    PDEC "db: n=", [db_count]
    PADDR " rsp_at_entry=", rbp
    mov rax, dr6
    PHEX " dr6=", rax
    PHEX " watched=", [watched]
    NEWLINE
    PUTS "db: "
    mov rdi, rbp
    call print_frame
    NEWLINE
    mov rax, dr6
    test al, 1                          ; B0: the execution breakpoint
    jz .clear
    or qword [rbp + 16], RFLAGS_RF
    PHEX "db: execution breakpoint: rflags in the frame set to ", [rbp + 16]
    NEWLINE
.clear:
    mov eax, DR6_CLEAR
    mov dr6, rax
    RESTORE_ALL
    iretq
