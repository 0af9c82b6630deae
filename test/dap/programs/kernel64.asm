; An ELF64 kernel without a multiboot header: entered directly in 64-bit mode at _start.
; Built by build.sh (nasm -f elf64 with DWARF lines, ld at 2 MiB); kernel64.elf is committed.
bits 64
section .text
global _start
_start:
    mov rsp, stack_top          ; @k-entry
    call main                   ; @k-call-main
.halt:
    hlt                         ; @k-halt
    jmp .halt

global main
main:
    push rbp                    ; @k-main
    mov rbp, rsp
    mov rax, [value]            ; @k-load
    add rax, 1
    mov [value], rax            ; @k-store
    pop rbp
    ret

section .data
global value
value: dq 41

section .bss
    resb 4096
stack_top:
