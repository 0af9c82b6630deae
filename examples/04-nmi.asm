; 04-nmi: a non-maskable interrupt on the NMI_STACK (IST3); a second NMI held until IRETQ.
;
; The note: "NMI can be delivered at any time, including when the kernel is in the middle of
; switching stacks. Using IST for NMI events avoids making assumptions about the previous state
; of the kernel stack." After delivering an NMI the CPU blocks further NMIs until the next IRETQ
; (SDM Vol. 3, 6.7.1): a second NMI stays pending, and is taken right after the IRETQ.
;
; What it does:
;   1. main sends itself an NMI through the local APIC's ICR (delivery mode NMI, destination
;      APIC ID 0; the "self" shorthand is only for fixed interrupts) and waits at nmi_wait until
;      two NMIs were counted. The NMI arrives right after the write: its frame's RIP is nmi_wait.
;   2. nmi_handler runs on nmi_stack_top-0x28 with IF = 0 (an interrupt gate). It sends a second
;      NMI and waits: the count stays 1, the NMI is held. Then it IRETQs.
;   3. The IRETQ unblocks NMIs: the held NMI arrives at the first instruction boundary after it,
;      before the instruction the IRETQ returned to (nmi_wait again), on the same IST3 top: the
;      first handler is gone, so reusing its stack is safe.
;
; Watch for (F5 on "04 NMI"):
;   - a breakpoint on nmi_handler: it is hit twice; the Stacks scope shows RSP on nmi_stack both times.
;   - step over the IRETQ in the first handler: the debugger stops in nmi_handler again at once.
;   - the Inject NMI button (debug toolbar) sends one more NMI from the debugger at any point.

%define EXAMPLE_NAME "04-nmi"
%include "lib/kernel.inc"

ICR_NMI equ 0x4400              ; delivery mode NMI (100b), level assert; destination APIC ID 0

SYM main
    SET_GATE 2, nmi_handler, 3, GATE_INT    ; NMI: IST3
    SET_RFLAGS 0x2              ; known flags in the frame the NMI pushes
    mov eax, APIC
    mov dword [rax + APIC_ICR_HI], 0        ; destination: APIC ID 0 (this CPU)
    mov dword [rax + APIC_ICR_LO], ICR_NMI  ; send it
SYM nmi_wait
    cmp qword [nmi_count], 2    ; both NMIs arrive here, before this instruction
    jb nmi_wait
    PDEC "main: nmi_count=", [nmi_count]
    PUTS 10
    xor eax, eax
    cmp qword [nmi_count], 2
    setne al
    ret

SYM nmi_handler
    push rbp
    push rax
    lea rbp, [rsp + 16]         ; the CPU's frame
    inc qword [nmi_count]
    PDEC "nmi ", [nmi_count]
    PADDR ": rsp at entry=", rbp
    PUTS 10
    PDEC "nmi ", [nmi_count]
    PUTS ": frame "
    push rdi
    mov rdi, rbp
    call print_frame
    pop rdi
    PUTS 10
    cmp qword [nmi_count], 1
    jne .out
    ; The first NMI: send another one, and see that it does not arrive.
    mov eax, APIC
    mov dword [rax + APIC_ICR_LO], ICR_NMI
    mov ecx, 1000
.spin:
    pause
    dec ecx
    jnz .spin
    PDEC "nmi 1: sent a second NMI, 1000 pauses later nmi_count=", [nmi_count]
    PUTS " (held until IRETQ)", 10
.out:
    pop rax
    pop rbp
    iretq

section .data
nmi_count: dq 0
