; ist_reentry: an event taken again on the same IST stack while its first frame is live. #DB and
; #BP share IST3 (Linux's DEBUG_STACK served both). An execution breakpoint (DR0) raises #DB; its
; handler executes INT3 (think: a kprobe in code the debug handler calls). The CPU loads RSP from
; TSS.IST3 again, so the #BP frame is written over the #DB frame, and the #BP handler's saved
; registers over the #DB handler's: when the #DB handler looks at its frame again it finds the
; #BP frame (it would IRETQ back into itself). Part 2 does what the note says a handler must do
; to allow nesting on its IST: move TSS.IST3 down while it runs (here by 0x800) and back before
; IRETQ; the #BP frame then lands below and the #DB frame survives.
; Each #DB handler keeps a copy of its frame and saved registers and restores them before IRETQ.
%define KERNEL_NAME "ist_reentry"
%include "kernel.inc"

DR6_CLEAR equ 0xFFFF0FF0
DR7_L0    equ 1 << 0
IST_SHIFT equ 0x800
SAVED     equ SAVE_ALL_SIZE + 40        ; saved registers + frame

section .bss
fix_mode: resq 1
db_copy: resb SAVED

section .text
bits 64
SYM kmain
    GATE 1, db_entry, 3, GATE_INT
    GATE 3, bp_entry, 3, GATE_INT
    mov eax, DR6_CLEAR
    mov dr6, rax
    PADDR "main: tss.ist3=", [tss + TSS_IST(3)]
    NEWLINE
    PUTSLN "part 1: #DB handler on IST3 executes INT3 (#BP, also IST3)"
    mov eax, main_bp1
    mov dr0, rax
    mov eax, DR7_L0
    mov dr7, rax
    SETFLAGS RFLAGS_FIXED
SYM main_bp1
    nop
    PUTSLN "part 2: the same, with TSS.IST3 moved down by 0x800 while the #DB handler runs"
    mov qword [fix_mode], 1
    mov eax, main_bp2
    mov dr0, rax
    SETFLAGS RFLAGS_FIXED
SYM main_bp2
    nop
    xor eax, eax
    mov dr7, rax
    PADDR "main: done, tss.ist3=", [tss + TSS_IST(3)]
    NEWLINE
    mov eax, EXIT_OK
    ret

SYM db_entry
    SAVE_ALL
    lea rbp, [rsp + SAVE_ALL_SIZE]
    mov rsi, rsp                        ; keep a copy of the saved registers and the frame
    mov edi, db_copy
    mov ecx, SAVED / 8
    rep movsq
    PADDR "db: rsp_at_entry=", rbp
    mov rax, dr6
    PHEX " dr6=", rax
    NEWLINE
    PUTS "db: "
    mov rdi, rbp
    call print_frame
    NEWLINE
    cmp qword [fix_mode], 0
    je .nested
    sub qword [tss + TSS_IST(3)], IST_SHIFT
    PADDR "db: tss.ist3 moved to ", [tss + TSS_IST(3)]
    NEWLINE
.nested:
    PUTSLN "db: int3"
    SETFLAGS RFLAGS_FIXED
    int3
SYM db_after_int3
    cmp qword [fix_mode], 0
    je .look
    add qword [tss + TSS_IST(3)], IST_SHIFT
    PADDR "db: tss.ist3 restored to ", [tss + TSS_IST(3)]
    NEWLINE
.look:
    PUTS "db: my frame now: "
    mov rdi, rbp
    call print_frame
    NEWLINE
    mov rsi, rsp                        ; compare with the copy
    mov edi, db_copy
    mov ecx, SAVED / 8
    repe cmpsq
    je .intact
    PUTSLN "db: frame and saved registers overwritten by the nested #BP: restoring the copy"
    jmp .restore
.intact:
    PUTSLN "db: frame and saved registers intact"
.restore:
    mov esi, db_copy
    mov rdi, rsp
    mov ecx, SAVED / 8
    rep movsq
    or qword [rbp + 16], RFLAGS_RF      ; resume past the execution breakpoint
    mov eax, DR6_CLEAR
    mov dr6, rax
    RESTORE_ALL
    iretq

SYM bp_entry
    SAVE_ALL
    lea rbp, [rsp + SAVE_ALL_SIZE]
    PADDR "bp: rsp_at_entry=", rbp
    NEWLINE
    PUTS "bp: "
    mov rdi, rbp
    call print_frame
    NEWLINE
    RESTORE_ALL
    iretq
