; An event taken again through IST1 while its first frame is live (the corruption the kernel's
; note warns of): the second frame overwrites the first, so the first handler's IRETQ returns
; into the handler instead of to main. A harmless event through IST1 comes first.
bits 64
org 0x100000
%include "stacks-setup.inc"

section .text
main:
    GATE 0x42, nmi_entry, 1
    int 0x42                    ; @r-first  (harmless: the handler returns)
    mov byte [reenter], 1
    int 0x42                    ; @r-second (this one re-enters)
    ret                         ; not reached: the corrupted frame never returns here

nmi_entry:
    inc qword [depth]           ; @r-entry
    cmp byte [reenter], 0
    je .out
    cmp qword [depth], 1
    jne .out                    ; the nested event returns at once
    int 0x42                    ; @r-nested  IST1 again while this frame is live
    cmp byte [returned], 0      ; @r-after-nested
    jne .corrupt
    mov byte [returned], 1
.out:
    dec qword [depth]
    iretq                       ; @r-iretq
.corrupt:
    hlt                         ; @r-corrupt  the first frame's IRETQ came back into the handler

section .bss
depth:      resq 1
reenter:    resb 1
returned:   resb 1
