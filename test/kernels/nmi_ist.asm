; nmi_ist: an NMI sent to ourselves through the local APIC lands on its IST stack (IST1); a second
; NMI sent from inside the handler is held (NMIs are blocked) until the handler's IRETQ.
;
; Both NMIs arrive at a point that does not depend on how long the APIC takes to deliver them:
; the first while the CPU spins on the single instruction `nmi_wait: jmp nmi_wait` right after
; the ICR write (the handler then resumes main at after_nmi), the second on the first instruction
; boundary after the IRETQ that unblocks NMIs, i.e. at after_nmi.
%define KERNEL_NAME "nmi_ist"
%include "kernel.inc"

section .bss
nmi_count: resq 1
apic_id: resq 1

section .text
bits 64
SYM kmain
    GATE 2, nmi_entry, 1, GATE_INT
    mov edi, APIC_ID
    call apic_read
    shr eax, 24
    mov [apic_id], rax
    PHEX "main: apic_id=", [apic_id]
    PADDR " tss.ist1=", [tss + TSS_IST(1)]
    mov rbx, rsp
    PADDR " rsp=", rbx
    NEWLINE
    PUTSLN "main: ICR <- delivery mode NMI, destination = own APIC ID; then spin at nmi_wait"
    mov eax, APIC_PHYS
    mov edx, [apic_id]
    shl edx, 24
    SETFLAGS RFLAGS_FIXED
    mov [rax + APIC_ICR_HI], edx
    mov dword [rax + APIC_ICR_LO], ICR_NMI | ICR_ASSERT
SYM nmi_wait
    jmp nmi_wait
SYM after_nmi
    PDEC "main: back at after_nmi, nmi_count=", [nmi_count]
    NEWLINE
    cmp qword [nmi_count], 2
    jne .fail
    mov eax, EXIT_OK
    ret
.fail:
    mov eax, EXIT_FAIL
    ret

SYM nmi_entry
    SAVE_ALL
    lea rbp, [rsp + SAVE_ALL_SIZE]      ; RSP at entry: the hardware frame starts here
    inc qword [nmi_count]
    PDEC "nmi: count=", [nmi_count]
    PADDR " rsp_at_entry=", rbp
    PUTSLN " ist=1"
    PUTS "nmi: "
    mov rdi, rbp
    call print_frame
    NEWLINE
    cmp qword [nmi_count], 1
    jne .done
    PUTSLN "nmi: sending a second NMI from inside the handler"
    mov eax, APIC_PHYS
    mov edx, [apic_id]
    shl edx, 24
    mov [rax + APIC_ICR_HI], edx
    mov dword [rax + APIC_ICR_LO], ICR_NMI | ICR_ASSERT
    mov ecx, 100000
.spin:
    pause
    dec ecx
    jnz .spin
    PDEC "nmi: 100000 pauses later count=", [nmi_count]
    PUTSLN " (the second NMI is held: NMIs stay blocked until IRETQ)"
    mov qword [rbp], after_nmi          ; resume main past the wait loop
    PADDR "nmi: frame rip set to ", [rbp]
    NEWLINE
.done:
    PUTSLN "nmi: iretq"
    RESTORE_ALL
    iretq
