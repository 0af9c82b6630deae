; db_single_step: RFLAGS.TF set by POPFQ; #DB (a trap) after every instruction that began with
; TF=1, with DR6.BS set. The #DB handler runs on IST3 (Linux: DEBUG_STACK) with TF cleared by the
; interrupt gate; its IRETQ restores TF=1 from the frame. The POPFQ that sets TF is not followed
; by a trap (TF was 0 when it began); the POPFQ that clears TF is (TF was 1 when it began).
; The handler prints DR6 and then clears it (the CPU never clears DR6 itself).
%define KERNEL_NAME "db_single_step"
%include "kernel.inc"

DR6_CLEAR equ 0xFFFF0FF0

section .bss
db_count: resq 1

section .text
bits 64
SYM kmain
    GATE 1, db_entry, 3, GATE_INT       ; #DB on IST3
    mov eax, DR6_CLEAR
    mov dr6, rax
    mov rax, dr6
    PHEX "main: dr6=", rax
    mov rbx, rsp
    PADDR " rsp=", rbx
    NEWLINE
    PUTSLN "main: popfq with TF=1, then single-stepped instructions"
    SETFLAGS RFLAGS_FIXED
    pushfq
    or qword [rsp], RFLAGS_TF
    popfq
SYM step1
    mov eax, 1
SYM step2
    add eax, 2
SYM step3
    push rax
SYM step4
    pop rbx
SYM step5
    pushfq
SYM step6
    sub qword [rsp], RFLAGS_TF          ; (SUB: every arithmetic flag defined)
SYM step7
    popfq
SYM step_done
    PDEC "main: TF clear again after ", [db_count]
    PHEX " traps, rbx=", rbx
    NEWLINE
    cmp qword [db_count], 7
    jne .fail
    mov eax, EXIT_OK
    ret
.fail:
    mov eax, EXIT_FAIL
    ret

SYM db_entry
    SAVE_ALL
    lea rbp, [rsp + SAVE_ALL_SIZE]
    inc qword [db_count]
    PDEC "db: n=", [db_count]
    PADDR " rsp_at_entry=", rbp
    mov rax, dr6
    PHEX " dr6=", rax
    NEWLINE
    PUTS "db: "
    mov rdi, rbp
    call print_frame
    NEWLINE
    mov eax, DR6_CLEAR
    mov dr6, rax
    RESTORE_ALL
    iretq
