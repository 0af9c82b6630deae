; irq_stack: the per-CPU interrupt stack, switched to by software. Hardware interrupts use gates
; without IST: the CPU pushes the frame on the current stack (after aligning RSP down to 16
; bytes). The entry code, as in Linux, increments a per-CPU nest counter (irq_count, -1 when no
; interrupt is being handled) and moves to the IRQ stack only when the counter becomes 0, i.e.
; for the outermost interrupt. The first interrupt is the local APIC timer (vector 0x30,
; one-shot); its handler sends itself a fixed IPI (vector 0x40, higher priority class) and
; enables interrupts: the nested interrupt arrives on the IRQ stack and, the counter being 1,
; stays there. A last IPI from the thread switches again from the top of the IRQ stack.
; Interrupts are taken at `sti; hlt`, so the interrupted RIP does not depend on timing.
%define KERNEL_NAME "irq_stack"
%include "kernel.inc"

TIMER_VECTOR equ 0x30
IPI_VECTOR   equ 0x40
PCPU_IRQ_COUNT equ 0
PCPU_IRQ_STACK equ 8

section .bss
alignb 64
SYM percpu
    resb 64
irqs: resq 1

section .text
bits 64
SYM kmain
    GATE TIMER_VECTOR, timer_entry, 0, GATE_INT
    GATE IPI_VECTOR, ipi_entry, 0, GATE_INT
    mov qword [percpu + PCPU_IRQ_COUNT], -1
    mov eax, irqstack_top
    mov [percpu + PCPU_IRQ_STACK], rax
    mov ecx, MSR_GS_BASE
    mov eax, percpu
    call wrmsr64
    PADDR "main: gs_base=", rax
    PADDR " percpu.irq_stack=", [percpu + PCPU_IRQ_STACK]
    PUTSLN " percpu.irq_count=-1"
    ; APIC timer: divide by 1, one-shot, vector 0x30
    APIC_WRITE APIC_TIMER_DIV, 0xB
    APIC_WRITE APIC_LVT_TIMER, TIMER_VECTOR
    APIC_WRITE APIC_TIMER_INIT, 0x1000
    sub rsp, 8                          ; leave RSP 8 bytes off a 16-byte boundary
    mov rbx, rsp
    PADDR "main: timer armed; sti; hlt with rsp=", rbx
    NEWLINE
    SETFLAGS RFLAGS_FIXED
    sti
    hlt
SYM main_after_hlt1
    cli
    add rsp, 8
    mov rbx, rsp
    PADDR "main: back on the thread stack rsp=", rbx
    PDEC " irqs=", [irqs]
    NEWLINE
    PUTSLN "main: self-IPI 0x40 from the thread; sti; hlt"
    mov edi, IPI_VECTOR
    call self_ipi
    SETFLAGS RFLAGS_FIXED
    sti
    hlt
SYM main_after_hlt2
    cli
    PDEC "main: irqs=", [irqs]
    NEWLINE
    cmp qword [irqs], 3
    jne .fail
    cmp qword [percpu + PCPU_IRQ_COUNT], -1
    jne .fail
    mov eax, EXIT_OK
    ret
.fail:
    mov eax, EXIT_FAIL
    ret

SYM timer_entry
    push qword TIMER_VECTOR
    jmp irq_common
SYM ipi_entry
    push qword IPI_VECTOR
    jmp irq_common

; [rsp] = vector, then the hardware frame
SYM irq_common
    SAVE_ALL                            ; on the interrupted stack
    mov rbp, rsp
    inc qword [gs:PCPU_IRQ_COUNT]
    cmovz rsp, [gs:PCPU_IRQ_STACK]      ; outermost interrupt: move to the IRQ stack
SYM irq_switched
    push rbp                            ; the interrupted stack, for the way back
    mov rdi, rbp
    call do_irq
    pop rsp
    dec qword [gs:PCPU_IRQ_COUNT]
    RESTORE_ALL
    add rsp, 8
    iretq

; do_irq(rdi = the registers saved on the interrupted stack; vector and frame above them)
SYM do_irq
    push rbp
    mov rbp, rdi
    inc qword [irqs]
    mov rbx, [rbp + SAVE_ALL_SIZE]      ; vector
    mov r12, [gs:PCPU_IRQ_COUNT]
    inc r12                             ; nesting depth
    PHEX "irq ", rbx
    PDEC ": nest=", r12
    lea rax, [rbp + SAVE_ALL_SIZE + 8]
    PADDR " rsp_at_entry=", rax
    lea rax, [rsp + 16]                 ; RSP after the entry code's cmovz (before push rbp; call)
    PADDR " rsp_in_handler=", rax
    NEWLINE
    PHEX "irq ", rbx
    PUTS ": "
    lea rdi, [rbp + SAVE_ALL_SIZE + 8]
    call print_frame
    NEWLINE
    cmp rbx, TIMER_VECTOR
    jne ..@eoi
    PUTSLN "irq 0x30: self-IPI 0x40; sti; hlt (the nested interrupt comes now)"
    mov edi, IPI_VECTOR
    call self_ipi
    SETFLAGS RFLAGS_FIXED
    sti
    hlt
SYM irq_after_nested
    cli
    mov rax, rsp
    PADDR "irq 0x30: nested interrupt done, rsp=", rax
    PDEC " nest=", r12
    NEWLINE
..@eoi:
    call apic_eoi
    pop rbp
    ret
