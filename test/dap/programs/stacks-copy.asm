; An IST handler that moves its frame to the interrupted stack and returns with IRETQ from the
; copy (as Linux's paranoid entries do): the frame on IST1 is gone, so the second event through
; IST1 is no reentry.
bits 64
org 0x100000
%include "stacks-setup.inc"

section .text
main:
    GATE 0x42, ist_entry, 1
    int 0x42                    ; @c-first
    int 0x42                    ; @c-second
    ret

ist_entry:
    mov rax, [rsp + 24]         ; the interrupted RSP
    sub rax, 64
%assign i 0
%rep 5
    mov rcx, [rsp + i]
    mov [rax + i], rcx
%assign i i + 8
%endrep
    mov rsp, rax                ; @c-move  to the copy, on the interrupted stack
    iretq
