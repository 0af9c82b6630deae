; df_overflow: a kernel stack overflow. The page below the thread stack (kstack_guard) is
; unmapped; a function that calls itself runs RSP down into it. The CALL that pushes into the
; guard page raises #PF; #PF has no IST (as in Linux), so delivering it pushes onto the same
; unmapped page and faults again; a page fault while delivering a page fault is a double fault.
; #DF uses IST2, so its handler runs on a good stack and can report.
%define KERNEL_NAME "df_overflow"
%include "kernel.inc"

section .bss
depth: resq 1

section .text
bits 64
SYM kmain
    GATE 8, df_entry, 2, GATE_INT       ; #DF on IST2 (Linux: DOUBLEFAULT_STACK)
    GATE 14, pf_entry, 0, GATE_INT      ; #PF on the current stack
    mov edi, kstack_guard
    xor esi, esi
    mov edx, PTE_P
    call pte_update                     ; unmap the guard page
    mov eax, kstack_guard
    PADDR "main: guard page unmapped at ", rax
    mov eax, kstack_bottom
    PADDR " stack bottom=", rax
    mov rbx, rsp
    PADDR " rsp=", rbx
    NEWLINE
    PUTSLN "main: recursing"
    SETFLAGS RFLAGS_FIXED
    call recurse
    PUTSLN "main: recursion returned"
    mov eax, EXIT_FAIL
    ret

SYM recurse
    inc qword [depth]
    call recurse
    ret

SYM pf_entry
    ; never reached: the #PF frame cannot be pushed
    PUTSLN "pf: handler reached"
    EXIT EXIT_FAIL

SYM df_entry
    SAVE_ALL
    lea rbp, [rsp + SAVE_ALL_SIZE]
    PADDR "df: rsp_at_entry=", rbp
    PUTS " ist=2"
    PHEX " error=", [rbp]
    mov rax, cr2
    PADDR " cr2=", rax
    NEWLINE
    PUTS "df: "
    lea rdi, [rbp + 8]
    call print_frame
    NEWLINE
    PDEC "df: depth=", [depth]
    NEWLINE
    PUTSLN "df: #DF is an abort: not returning"
    EXIT EXIT_OK
