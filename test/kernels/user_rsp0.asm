; user_rsp0: entries from CPL3 through gates without IST land on TSS.RSP0. User code (CS 0x2b,
; SS 0x23, IF=1) makes a system call with INT 0x80 (gate DPL3); the handler sends itself a fixed
; IPI (held: IF=0 in the handler) and, as a context switch would, points TSS.RSP0 at a second
; thread's stack before IRETQ. The IPI arrives on the first user instruction boundary after that
; IRETQ, from CPL3, so it lands on the new RSP0. The user code then executes INT 0x81, whose gate
; has DPL0: #GP with error code 0x81*8+2 (IDT bit), again on RSP0; the handler skips the
; instruction. Every entry from CPL3 loads SS with a null selector; the frame keeps the user
; SS:RSP. A last INT 0x80 ends the user part.
%define KERNEL_NAME "user_rsp0"
%include "kernel.inc"

IPI_VECTOR equ 0x41

section .bss
STACK thread2_rsp0, 8192
syscalls: resq 1
irqs: resq 1
gps: resq 1

section .text
bits 64
SYM kmain
    GATE 0x80, int80_entry, 0, GATE_INT_U
    GATE 0x81, int81_entry, 0, GATE_INT     ; DPL0: INT 0x81 from CPL3 is a #GP
    GATE 13, gp_entry, 0, GATE_INT
    GATE IPI_VECTOR, ipi_entry, 0, GATE_INT
    call user_pages_enable
    mov rbx, rsp
    PADDR "main: rsp=", rbx
    PADDR " tss.rsp0=", [tss + TSS_RSP0]
    NEWLINE
    PUTSLN "main: iretq to CPL3 at user_main, rflags=0x202"
    mov edi, user_main
    mov esi, RFLAGS_FIXED | RFLAGS_IF
    call run_user
    PDEC "main: back at CPL0: syscalls=", [syscalls]
    PDEC " irqs=", [irqs]
    PDEC " gp=", [gps]
    NEWLINE
    cmp qword [syscalls], 2
    jne .fail
    cmp qword [irqs], 1
    jne .fail
    cmp qword [gps], 1
    jne .fail
    mov eax, EXIT_OK
    ret
.fail:
    mov eax, EXIT_FAIL
    ret

; entry_report(rbp = RSP at entry, rsi = tag, rdi = frame): "tag: rsp_at_entry=.. ss_now=..",
; then "tag: frame ..."
SYM entry_report
    call puts
    PADDR ": rsp_at_entry=", rbp
    push rax
    mov ax, ss
    movzx eax, ax
    PHEX " ss_now=", rax
    pop rax
    NEWLINE
    call puts
    PUTS ": "
    call print_frame
    NEWLINE
    ret

SYM int80_entry
    SAVE_ALL
    lea rbp, [rsp + SAVE_ALL_SIZE]
    inc qword [syscalls]
    mov rbx, [rbp - 8]                  ; the user's RAX: system call number
    PHEX "int80: system call rax=", rbx
    NEWLINE
    mov esi, .tag
    mov rdi, rbp
    call entry_report
    cmp rbx, 2
    je back_to_kernel
    ; switch "threads": the next entry from CPL3 uses thread2's kernel stack
    mov eax, thread2_rsp0_top
    mov [tss + TSS_RSP0], rax
    PADDR "int80: tss.rsp0 set to ", [tss + TSS_RSP0]
    NEWLINE
    mov edi, IPI_VECTOR
    call self_ipi
    PUTSLN "int80: self-IPI 0x41 sent (pending until IRETQ sets IF again), iretq"
    RESTORE_ALL
    iretq
.tag: db "int80", 0

SYM ipi_entry
    SAVE_ALL
    lea rbp, [rsp + SAVE_ALL_SIZE]
    inc qword [irqs]
    mov esi, .tag
    mov rdi, rbp
    call entry_report
    call apic_eoi
    RESTORE_ALL
    iretq
.tag: db "irq 0x41", 0

SYM gp_entry
    SAVE_ALL
    lea rbp, [rsp + SAVE_ALL_SIZE]
    inc qword [gps]
    PHEX "gp: error=", [rbp]
    NEWLINE
    mov esi, .tag
    lea rdi, [rbp + 8]
    call entry_report
    add qword [rbp + 8], 2              ; skip the 2-byte INT 0x81
    RESTORE_ALL
    add rsp, 8                          ; drop the error code
    iretq
.tag: db "gp", 0

SYM int81_entry
    PUTSLN "int81: reached (the DPL check failed to stop INT 0x81 from CPL3)"
    EXIT EXIT_FAIL

section .user_text
SYM user_main
    mov eax, 1
    int 0x80
SYM user_after_syscall
    nop
SYM user_int81
    int 0x81
SYM user_after_int81
    mov eax, 2
    int 0x80
    jmp user_main                       ; not reached
