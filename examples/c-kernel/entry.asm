; KStack example C kernel: the entry. QEMU's multiboot loader (-kernel) starts us in 32-bit
; protected mode; we build page tables, enter long mode, load a GDT with a 64-bit TSS (IST
; stacks), fill and load the IDT from isr.S's stub table, and call kmain (C).
;
; The kernel is an ELF64 file; QEMU refuses to load ELF64 through multiboot, so the header sets
; the a.out kludge flag (bit 16) and gives the load addresses itself (see README.md).

bits 32

MB_MAGIC    equ 0x1BADB002
MB_FLAGS    equ (1 << 1) | (1 << 16)        ; memory info, a.out kludge (address fields valid)

KCODE       equ 0x08
KDATA       equ 0x10
TSS_SEL     equ 0x18

extern __image_start, __load_end, __bss_start, __bss_end
extern isr_table, kmain

; ---------------------------------------------------------------------------- multiboot header
section .multiboot
align 4
mb_header:
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)
    dd mb_header                ; header_addr
    dd __image_start            ; load_addr
    dd __load_end               ; load_end_addr
    dd __bss_end                ; bss_end_addr
    dd _start                   ; entry_addr

; ---------------------------------------------------------------------------- data
section .data
align 16
gdt:
    dq 0                        ; 0x00 null
    dq 0x00AF9A000000FFFF       ; 0x08 kernel code, 64-bit
    dq 0x00CF92000000FFFF       ; 0x10 kernel data
    dq 0, 0                     ; 0x18 64-bit TSS (base filled in below)
gdt_end:
gdt_ptr:
    dw gdt_end - gdt - 1
    dq gdt

idt_ptr:
    dw 256 * 16 - 1
    dq idt

global tss
align 16
tss:                            ; the 64-bit TSS (Intel SDM vol. 3, figure 8-11)
    dd 0                        ; reserved
    dq 0, 0, 0                  ; RSP0..RSP2 (no user mode here)
    dq 0                        ; reserved
    dq ist1_top                 ; IST1: #DF
    dq ist2_top                 ; IST2: #BP (INT3) and NMI
    dq 0, 0, 0, 0, 0            ; IST3..IST7
    dq 0                        ; reserved
    dw 0                        ; reserved
    dw 104                      ; I/O map base: none
tss_end:

; ---------------------------------------------------------------------------- bss
; Page tables, IDT and stacks: their own output section (.bootbss, after the C globals' .bss).
section .bss.boot nobits alloc write
alignb 4096
pml4:       resb 4096
pdpt:       resb 4096
pd:         resb 4096           ; 512 x 2 MiB: the first GiB, identity-mapped
idt:        resb 256 * 16
global pml4, pdpt, pd, idt, boot_stack_top, ist1_top, ist2_top
alignb 16
boot_stack: resb 16384
boot_stack_top:
ist1_stack: resb 4096
ist1_top:
ist2_stack: resb 4096
ist2_top:

; ---------------------------------------------------------------------------- 32-bit entry
section .text.boot32 progbits alloc exec
global _start
_start:
    cli
    mov esp, boot_stack_top
    ; clear .bss (QEMU does, other loaders may not)
    mov edi, __bss_start
    mov ecx, __bss_end
    sub ecx, edi
    shr ecx, 2
    xor eax, eax
    rep stosd
    ; PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = i * 2 MiB (present, writable, 2 MiB page)
    mov dword [pml4], pdpt + 3
    mov dword [pdpt], pd + 3
    xor ecx, ecx
.pd_loop:
    mov eax, ecx
    shl eax, 21
    or eax, 0x83
    mov [pd + ecx * 8], eax
    inc ecx
    cmp ecx, 512
    jne .pd_loop
    ; 8 MiB .. 10 MiB starts not present: kmain touches it and the #PF handler maps it
    and dword [pd + 4 * 8], ~1
    mov eax, pml4
    mov cr3, eax
    mov eax, cr4
    or eax, 1 << 5              ; PAE
    mov cr4, eax
    mov ecx, 0xC0000080         ; EFER
    rdmsr
    or eax, 1 << 8              ; LME
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16) | 1   ; PG, WP, PE
    mov cr0, eax
    lgdt [gdt_ptr]
    jmp KCODE:long_entry

; ---------------------------------------------------------------------------- 64-bit entry
bits 64
section .text
long_entry:
    mov ax, KDATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top
    ; TSS descriptor: limit, base 0-23, type 0x89 (available 64-bit TSS), base 24-31, base 32-63
    mov rax, tss
    mov word [gdt + TSS_SEL], tss_end - tss - 1
    mov [gdt + TSS_SEL + 2], ax
    shr rax, 16
    mov [gdt + TSS_SEL + 4], al
    mov byte [gdt + TSS_SEL + 5], 0x89
    mov [gdt + TSS_SEL + 7], ah
    shr rax, 16
    mov [gdt + TSS_SEL + 8], eax
    mov ax, TSS_SEL
    ltr ax
    ; IDT: interrupt gates for the 48 stubs of isr.S (vectors 0-31 exceptions, 32-47 IRQs)
    xor ecx, ecx
.idt_loop:
    mov rax, [isr_table + rcx * 8]
    mov rdi, rcx
    shl rdi, 4
    add rdi, idt
    mov [rdi], ax               ; offset 0-15
    mov word [rdi + 2], KCODE
    mov byte [rdi + 4], 0       ; IST
    mov byte [rdi + 5], 0x8E    ; present, DPL0, 64-bit interrupt gate
    shr rax, 16
    mov [rdi + 6], ax           ; offset 16-31
    shr rax, 16
    mov [rdi + 8], eax          ; offset 32-63
    inc ecx
    cmp ecx, 48
    jne .idt_loop
    mov byte [idt + 8 * 16 + 4], 1     ; #DF on IST1
    mov byte [idt + 2 * 16 + 4], 2     ; NMI on IST2
    mov byte [idt + 3 * 16 + 4], 2     ; #BP (INT3) on IST2
    lidt [idt_ptr]
    call kmain                  ; returns the exit code in eax
    ; not reached: kmain exits through port 0xF4
.halt:
    cli
    hlt
    jmp .halt
