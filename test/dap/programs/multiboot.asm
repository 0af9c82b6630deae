; A multiboot 1 kernel in assembly (a.out kludge: a flat image that says where it goes). It boots
; the way QEMU's -kernel boots it: 32-bit protected mode, EAX = 0x2BADB002, EBX = the information.
bits 32
org 0x100000

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00010003         ; page-align modules, memory info, address fields (a.out kludge)

header:
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)
    dd header                   ; header_addr
    dd header                   ; load_addr
    dd 0                        ; load_end_addr: the whole file
    dd 0                        ; bss_end_addr: no .bss
    dd _start                   ; entry_addr

global _start
_start:
    mov esp, 0x90000            ; @mb-entry
    mov [magic], eax
.hang:
    hlt                         ; @mb-hang
    jmp .hang

magic: dd 0
