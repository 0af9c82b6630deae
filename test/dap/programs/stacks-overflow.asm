; A stack overflow: a recursion on irq_stack (4 KiB) deeper than it holds leaves it through its
; bottom into the page below (spare, not a stack). Calls within the stack come first.
bits 64
org 0x100000
%include "stacks-setup.inc"

section .text
main:
    mov rbx, rsp
    mov rsp, irq_stack_top
    mov ecx, 100
    call recurse                ; 100 levels: 1.6 KiB, fits
    mov ecx, 300
    call recurse                ; 300 levels: 4.8 KiB, overflows
    mov rsp, rbx                ; @o-back
    ret

recurse:
    push rcx                    ; @o-recurse
    dec ecx
    jz .done
    call recurse                ; @o-call
.done:
    pop rcx
    ret
