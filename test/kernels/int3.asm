; int3: the breakpoint instruction. INT3 (0xCC) and INT 3 (0xCD 0x03) raise #BP, a trap: the saved
; RIP is the next instruction and no error code is pushed. Vector 3's gate has IST3 (Linux's
; DEBUG_STACK for both #DB and #BP) and DPL3, so user code may execute INT3 too: from CPL3 the
; CPU still takes the IST stack (IST wins over TSS.RSP0), the frame holds the user CS/SS:RSP, and
; SS is loaded with a null selector.
%define KERNEL_NAME "int3"
%include "kernel.inc"

section .bss
bp_count: resq 1

section .text
bits 64
SYM kmain
    GATE 3, bp_entry, 3, (GATE_INT | 0x60)      ; DPL3 interrupt gate, IST3
    call user_pages_enable
    mov rbx, rsp
    PADDR "main: rsp=", rbx
    PADDR " tss.ist3=", [tss + TSS_IST(3)]
    PADDR " tss.rsp0=", [tss + TSS_RSP0]
    NEWLINE
    PUTSLN "main: int3 at CPL0"
    SETFLAGS RFLAGS_FIXED
SYM int3_insn
    int3
SYM after_int3
    PUTSLN "main: int 3 at CPL0"
    SETFLAGS RFLAGS_FIXED
SYM int_3_insn
    int 3
SYM after_int_3
    PUTSLN "main: int3 at CPL3"
    mov edi, user_code
    mov esi, RFLAGS_FIXED
    call run_user
    PDEC "main: back at CPL0 after ", [bp_count]
    PUTSLN " breakpoints"
    cmp qword [bp_count], 3
    jne .fail
    mov eax, EXIT_OK
    ret
.fail:
    mov eax, EXIT_FAIL
    ret

SYM bp_entry
    SAVE_ALL
    lea rbp, [rsp + SAVE_ALL_SIZE]
    inc qword [bp_count]
    PDEC "bp: n=", [bp_count]
    PADDR " rsp_at_entry=", rbp
    mov ax, ss
    movzx eax, ax
    PHEX " ss_now=", rax
    NEWLINE
    PUTS "bp: "
    mov rdi, rbp
    call print_frame
    NEWLINE
    cmp qword [rbp + 8], USER_CS
    je back_to_kernel                   ; the user part is over
    RESTORE_ALL
    iretq

section .user_text
SYM user_code
    int3
    jmp user_code                       ; not reached
