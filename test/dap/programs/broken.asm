bits 64
_start:
    mov rax, 1
    mov rbx, nowhere            ; undefined symbol
    frobnicate rcx              ; not an instruction
