; A frame larger than the stack: SUB RSP moves RSP 10 KiB below the bottom of irq_stack (4 KiB), past nmi_stack, in
; one step. Loading RSP with another stack's top further down is a switch, not an overflow.
bits 64
org 0x100000
%include "stacks-setup.inc"

section .text
main:
    mov rbx, rsp
    mov rsp, irq_stack_top
    mov rsp, nmi_stack_top      ; @a-load  a switch to a stack below: no overflow
    mov rsp, irq_stack_top
    sub rsp, 0x3800             ; @a-sub
    mov rsp, rbx
    ret
