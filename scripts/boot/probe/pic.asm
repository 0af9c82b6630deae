; KStack boot probe, position-independent variants: print the EIP the loader entered at (and EBX),
; to show where QEMU's loader put the code. Variants (nasm -D...):
;   (default)  ELF, linked by link-higher.ld: virtual 0xC0100000, physical 0x100000, e_entry virtual
;   KLUDGE     ELF linked at 1 MiB whose multiboot header also has the a.out kludge fields, asking
;              for the whole file at 0x300000: which one does the loader follow?
;   NOKLUDGE   nasm -f bin: a header without the a.out kludge in a file that is not ELF
bits 32
MB_MAGIC equ 0x1BADB002
%ifdef KLUDGE
  %define MB_FLAGS 0x10000
%else
  %define MB_FLAGS 0
%endif
%ifndef NOKLUDGE
section .multiboot
%endif
align 4
mb_header:
    dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
%ifdef KLUDGE
    ; the ELF puts this header at file offset 0x1000 (ld page-aligns the first segment)
    dd 0x301000                         ; header_addr
    dd 0x300000                         ; load_addr
    dd 0                                ; load_end_addr: the whole file
    dd 0                                ; bss_end_addr: no bss
    dd 0x301000 + (_start - mb_header)  ; entry_addr
%endif
%ifndef NOKLUDGE
section .text
%endif
global _start
%macro CH 1
    mov al, %1
    call putc
%endmacro
_start:
    mov edi, ebx
    call .here
.here:
    pop ebx
    sub ebx, .here - _start
    CH 'p'
    CH 'i'
    CH 'c'
    CH ' '
    CH 'e'
    CH 'i'
    CH 'p'
    CH '='
    call puthex
    CH ' '
    CH 'e'
    CH 'b'
    CH 'x'
    CH '='
    mov ebx, edi
    call puthex
    CH 10
    mov dx, 0xf4
    xor eax, eax
    out dx, eax
.h: hlt
    jmp .h
puthex:                                 ; EBX, 8 digits
    mov ecx, 8
.d:
    rol ebx, 4
    mov al, bl
    and al, 0xf
    add al, '0'
    cmp al, '9'
    jbe .p
    add al, 'a' - '9' - 1
.p:
    call putc
    loop .d
    ret
putc:
    push eax
    mov dx, 0x3fd
.w: in al, dx
    test al, 0x20
    jz .w
    pop eax
    mov dx, 0x3f8
    out dx, al
    ret
