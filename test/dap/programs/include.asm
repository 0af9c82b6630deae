; Lines from an included file and from a macro expansion.
bits 64
org 0x100000
%include "lib/util.inc"

global _start
_start:
    mov rsp, 0x200000           ; @i-entry
    mov eax, 3
    call double_it              ; @i-call
    twice rax                   ; @i-macro
    mov rbx, rax                ; @i-after
    hlt
