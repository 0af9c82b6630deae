; Exceptions for the exception filters: INT3, then an invalid opcode with no IDT (so its delivery
; escalates to #GP, #DF, and a triple fault).
bits 64
org 0x100000

_start:
    mov rax, 1                  ; @f-entry
    int3                        ; @f-int3
    mov rbx, 2                  ; @f-after-int3
    ud2                         ; @f-ud2
    hlt
