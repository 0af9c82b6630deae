; 32-bit protected mode (a multiboot 1 kernel, a.out kludge) with its own GDT and IDT: INT 0x30
; through a 32-bit interrupt gate, on the same stack (CPL 0), for the label frame of a 32-bit frame.
bits 32
org 0x100000

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00010003

header:
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)
    dd header
    dd header
    dd 0
    dd 0
    dd _start

_start:
    mov esp, stack_top          ; @p-entry
    lgdt [gdt_ptr]
    jmp 0x08:.reload
.reload:
    mov ax, 0x10
    mov ds, ax
    mov ss, ax
    mov eax, int30_handler      ; IDT entry 0x30: 32-bit interrupt gate, DPL 0, selector 0x08
    mov [idt + 0x30 * 8], ax
    mov word [idt + 0x30 * 8 + 2], 0x08
    mov word [idt + 0x30 * 8 + 4], 0x8e00
    shr eax, 16
    mov [idt + 0x30 * 8 + 6], ax
    lidt [idt_ptr]
    call work
    hlt                         ; @p-done

work:
    mov ebx, 0x55
    int 0x30                    ; @p-int
    ret                         ; @p-after

int30_handler:
    inc dword [count]           ; @p-handler
    iret

gdt_ptr:
    dw 23
    dd gdt
idt_ptr:
    dw 256 * 8 - 1
    dd idt
align 8
gdt:
    dq 0
    dq 0x00cf9a000000ffff       ; 0x08 code, 32-bit, 4 GiB
    dq 0x00cf92000000ffff       ; 0x10 data
count: dd 0
align 16
idt: times 256 * 8 db 0
stack: times 4096 db 0
stack_top:
