; Stack switches for the tracker's tests: a software switch to a per-CPU IRQ stack with a nest
; counter (as Linux does, see kernel-stacks.txt), a nested interrupt that stays on it, and an event
; through IST1 and its IRETQ back. INT n stands in for the hardware interrupts (gates without IST:
; the frame goes on the current stack).
bits 64
org 0x100000
%include "stacks-setup.inc"

section .text
main:
    GATE 0x40, irq_entry, 0
    GATE 0x41, irq_entry, 0
    GATE 0x42, nmi_entry, 1
    mov qword [irq_count], -1
    mov rax, irq_stack_top
    mov [irq_stack_ptr], rax
    int 0x40                    ; @s-int40
    int 0x42                    ; @s-int42
    mov rax, [irqs]
    ret

irq_entry:
    push rbp
    mov rbp, rsp
    inc qword [irq_count]
    cmovz rsp, [irq_stack_ptr]  ; @s-cmovz  outermost interrupt: move to the IRQ stack
    push rbp                    ; @s-on-irq
    inc qword [irqs]
    cmp qword [irq_count], 0
    jne .inner
    int 0x41                    ; nested: stays on the IRQ stack
.inner:
    pop rsp                     ; @s-pop-rsp  back to the interrupted stack
    dec qword [irq_count]
    pop rbp
    iretq

nmi_entry:
    push rax                    ; @s-nmi-first
    mov rax, rsp
    pop rax
    iretq                       ; @s-iretq

section .bss
irq_count:      resq 1
irq_stack_ptr:  resq 1
irqs:           resq 1
