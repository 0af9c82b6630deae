; ss_fault: the stack-fault exception, #SS, on its own IST stack (IST1; Linux: STACKFAULT_STACK).
; In 64-bit mode #SS(0) is raised by a memory reference through the SS segment (base RSP or RBP)
; to a non-canonical address, and #SS(selector) by loading SS with a not-present segment.
; Because the stack pointer itself may be the bad value, the handler must not run on it: the IST
; gives it a good stack. For contrast, loading DS with the same not-present segment is a #NP, and
; a non-canonical reference through another base register is a #GP. In this kernel #GP also has
; an IST (IST2), so that a #GP in place of an #SS still finds a good stack.
; Each case puts its resume RIP in R15 and the RSP to resume with in R14.
%define KERNEL_NAME "ss_fault"
%include "kernel.inc"

NONCANONICAL equ 0x8000000000000000

section .bss
faults: resq 1

section .text
bits 64
%macro CASE 1
    PUTSLN "case: ", %1
    SETFLAGS RFLAGS_FIXED
%endmacro

SYM kmain
    GATE 12, ss_entry, 1, GATE_INT      ; #SS on IST1
    GATE 13, gp_entry, 2, GATE_INT      ; #GP on IST2
    GATE 11, np_entry, 0, GATE_INT      ; #NP on the current stack
    mov rbx, rsp
    PADDR "main: rsp=", rbx
    PADDR " tss.ist1=", [tss + TSS_IST(1)]
    PADDR " tss.ist2=", [tss + TSS_IST(2)]
    NEWLINE

    CASE "mov rax, [rbp] with rbp=0x8000000000000000 (non-canonical, SS segment)"
    mov r15d, ..@c2
    mov r14, rsp
    mov rbp, NONCANONICAL
SYM ss_rbp_load
    mov rax, [rbp]
    PUTSLN "no exception"
..@c2:
    CASE "push rax with rsp=0x8000000000000000"
    mov r15d, ..@c3
    mov r14, rsp
    mov rsp, NONCANONICAL
SYM ss_push
    push rax
    mov rsp, r14
    PUTSLN "no exception"
..@c3:
    CASE "mov rax, [rbx] with rbx=0x8000000000000000 (non-canonical, DS segment)"
    mov r15d, ..@c4
    mov r14, rsp
    mov rbx, NONCANONICAL
SYM gp_rbx_load
    mov rax, [rbx]
    PUTSLN "no exception"
..@c4:
    CASE "mov ss, 0x48 (writable data segment, not present)"
    mov r15d, ..@c5
    mov r14, rsp
    mov eax, NP_DATA
SYM ss_load_np
    mov ss, ax
    PUTSLN "no exception"
..@c5:
    CASE "mov ds, 0x48 (the same segment, into DS)"
    mov r15d, ..@c6
    mov r14, rsp
    mov eax, NP_DATA
SYM np_load_ds
    mov ds, ax
    PUTSLN "no exception"
..@c6:
    mov ax, ss
    movzx eax, ax
    PHEX "main: ss=", rax
    mov ax, ds
    movzx eax, ax
    PHEX " ds=", rax
    PDEC " exceptions=", [faults]
    NEWLINE
    cmp qword [faults], 5
    jne .fail
    mov eax, EXIT_OK
    ret
.fail:
    mov eax, EXIT_FAIL
    ret

; report_and_resume(rbp = RSP at entry, frame after the error code; rsi = "tag: ist=n")
SYM report_and_resume
    inc qword [faults]
    call puts
    PHEX " error=", [rbp]
    PADDR " rsp_at_entry=", rbp
    NEWLINE
    PUTS "  "
    lea rdi, [rbp + 8]
    call print_frame
    NEWLINE
    mov rax, [rsp + 8 + 0]              ; saved R15 (above our return address)
    mov [rbp + 8], rax                  ; frame RIP
    mov rax, [rsp + 8 + 8]              ; saved R14
    mov [rbp + 32], rax                 ; frame RSP
    ret

SYM ss_entry
    SAVE_ALL
    lea rbp, [rsp + SAVE_ALL_SIZE]
    mov esi, .tag
    call report_and_resume
    RESTORE_ALL
    add rsp, 8
    iretq
.tag: db "ss: #SS ist=1", 0

SYM gp_entry
    SAVE_ALL
    lea rbp, [rsp + SAVE_ALL_SIZE]
    mov esi, .tag
    call report_and_resume
    RESTORE_ALL
    add rsp, 8
    iretq
.tag: db "gp: #GP ist=2", 0

SYM np_entry
    SAVE_ALL
    lea rbp, [rsp + SAVE_ALL_SIZE]
    mov esi, .tag
    call report_and_resume
    RESTORE_ALL
    add rsp, 8
    iretq
.tag: db "np: #NP ist=0", 0
