; KStack boot probe: a multiboot 1 kernel that prints, over COM1, the machine state QEMU's
; `-kernel` loader hands it (registers, segments, GDTR/IDTR, CR0/CR3/CR4, EFLAGS) and the whole
; multiboot information structure (memory fields, command line, modules, e820 memory map, boot
; loader name), then exits through isa-debug-exit (port 0xF4). See scripts/boot/probe/README.md.
;
; Build variants (nasm -D...):
;   FLAGS=n        multiboot header flags (default 0)
;   AOUT           flat binary (nasm -f bin) with the a.out kludge fields; ORG=address (default 0x200000);
;                  NOEND: load_end_addr = bss_end_addr = 0 (load the whole file, no bss)
;   (default)      ELF object to be linked by link.ld at 1 MiB
bits 32

MB_MAGIC   equ 0x1BADB002
%ifndef FLAGS
  %define FLAGS 0
%endif
%ifndef ORG
  %define ORG 0x200000
%endif
COM1       equ 0x3f8

%macro PUTS 1+
  [section .data]
  %%s: db %1, 0
  __?SECT?__
    push esi
    mov esi, %%s
    call puts
    pop esi
%endmacro
%macro NL 0
    push eax
    mov al, 10
    call putc
    pop eax
%endmacro
; KV "name", mem32 / KVR "name", reg32 / KVI "name", imm / KVW "name", addr of a word
%macro KV 2
    PUTS " ", %1, "="
    push eax
    mov eax, %2
    call puthex
    pop eax
%endmacro
%macro KVR 2
    PUTS " ", %1, "="
    push eax
    mov eax, %2
    call puthex
    pop eax
%endmacro
%macro KVI 2
    PUTS " ", %1, "="
    push eax
    mov eax, %2
    call puthex
    pop eax
%endmacro
%macro KVW 2
    PUTS " ", %1, "="
    push eax
    movzx eax, word [%2]
    call puthex
    pop eax
%endmacro
; SEG "cs", s_cs: selector, LAR (access rights, masked 0x00F0FF00) and LSL (limit) of its descriptor
%macro SEG 2
    PUTS "seg ", %1
    KVW "sel", %2
    push eax
    push ebx
    movzx ebx, word [%2]
    xor eax, eax
    lar eax, ebx
    KVR "ar", eax
    xor eax, eax
    lsl eax, ebx
    KVR "limit", eax
    pop ebx
    pop eax
    NL
%endmacro


%ifdef AOUT
  org ORG
  section .text
  global _start
  mb_header:
    dd MB_MAGIC, FLAGS | 0x10000, -(MB_MAGIC + (FLAGS | 0x10000))
    dd mb_header            ; header_addr
    dd ORG                  ; load_addr
  %ifdef NOEND
    dd 0                    ; load_end_addr: the whole file
    dd 0                    ; bss_end_addr: no bss
  %else
    dd load_end             ; load_end_addr
    dd bss_end              ; bss_end_addr
  %endif
    dd _start               ; entry_addr
%else
  section .multiboot
  align 4
    dd MB_MAGIC, FLAGS, -(MB_MAGIC + FLAGS)
  section .text
  global _start
  extern __kernel_end
%endif

section .text
_start:
    mov [s_eax], eax
    mov [s_ebx], ebx
    mov [s_ecx], ecx
    mov [s_edx], edx
    mov [s_esi], esi
    mov [s_edi], edi
    mov [s_ebp], ebp
    mov [s_esp], esp
    mov esp, stack_top
    pushfd
    pop dword [s_eflags]
    call .here
.here:
    pop eax
    sub eax, .here - _start
    mov [s_eip], eax
    mov eax, cr0
    mov [s_cr0], eax
    mov eax, cr3
    mov [s_cr3], eax
    mov eax, cr4
    mov [s_cr4], eax
    sgdt [s_gdtr]
    sidt [s_idtr]
    sldt [s_ldtr]
    str [s_tr]
    mov [s_cs], cs
    mov [s_ds], ds
    mov [s_es], es
    mov [s_fs], fs
    mov [s_gs], gs
    mov [s_ss], ss

    PUTS "PROBE-BEGIN", 10
    ; ---- entry state
    PUTS "entry"
    KV "eip", [s_eip]
    KV "eax", [s_eax]
    KV "ebx", [s_ebx]
    KV "ecx", [s_ecx]
    KV "edx", [s_edx]
    KV "esi", [s_esi]
    KV "edi", [s_edi]
    KV "ebp", [s_ebp]
    KV "esp", [s_esp]
    KV "eflags", [s_eflags]
    NL
    PUTS "control"
    KV "cr0", [s_cr0]
    KV "cr3", [s_cr3]
    KV "cr4", [s_cr4]
    NL
    PUTS "tables"
    KVW "gdtr.limit", s_gdtr
    KV "gdtr.base", [s_gdtr+2]
    KVW "idtr.limit", s_idtr
    KV "idtr.base", [s_idtr+2]
    KVW "ldtr", s_ldtr
    KVW "tr", s_tr
    NL
    ; ---- segment registers: selector, and the descriptor's access rights and limit (LAR/LSL)
    SEG "cs", s_cs
    SEG "ds", s_ds
    SEG "es", s_es
    SEG "fs", s_fs
    SEG "gs", s_gs
    SEG "ss", s_ss
    ; ---- the GDT QEMU's loader left
    movzx ecx, word [s_gdtr]
    inc ecx
    mov ebx, [s_gdtr+2]
    xor edi, edi
.gdt:
    cmp edi, ecx
    jae .gdt_done
    PUTS "gdt"
    KVR "sel", edi
    mov eax, [ebx+edi+4]
    KVR "hi", eax
    mov eax, [ebx+edi]
    KVR "lo", eax
    NL
    add edi, 8
    jmp .gdt
.gdt_done:
    ; ---- the kernel image
    PUTS "kernel"
    KVI "start", _start
%ifdef AOUT
    KVI "end", bss_end
%else
    KVI "end", __kernel_end
%endif
    NL

    ; ---- multiboot info
    mov ebp, [s_ebx]
    PUTS "mbi"
    KVR "addr", ebp
    KV "flags", [ebp+0]
    KV "mem_lower", [ebp+4]
    KV "mem_upper", [ebp+8]
    KV "boot_device", [ebp+12]
    KV "cmdline", [ebp+16]
    KV "mods_count", [ebp+20]
    KV "mods_addr", [ebp+24]
    NL
    PUTS "mbi"
    KV "syms0", [ebp+28]
    KV "syms1", [ebp+32]
    KV "syms2", [ebp+36]
    KV "syms3", [ebp+40]
    KV "mmap_length", [ebp+44]
    KV "mmap_addr", [ebp+48]
    KV "drives_length", [ebp+52]
    KV "drives_addr", [ebp+56]
    NL
    PUTS "mbi"
    KV "config_table", [ebp+60]
    KV "boot_loader_name", [ebp+64]
    KV "apm_table", [ebp+68]
    KV "vbe_control_info", [ebp+72]
    KV "vbe_mode_info", [ebp+76]
    KV "vbe_mode_seg", [ebp+80]
    KV "vbe_off_len", [ebp+84]
    NL
    test dword [ebp], 1 << 2
    jz .no_cmdline
    PUTS "cmdline"
    mov esi, [ebp+16]
    call putq
    NL
.no_cmdline:
    test dword [ebp], 1 << 9
    jz .no_name
    PUTS "boot_loader_name"
    mov esi, [ebp+64]
    call putq
    NL
.no_name:
    ; modules
    test dword [ebp], 1 << 3
    jz .mods_done
    mov ebx, [ebp+24]
    mov edi, [ebp+20]
.mod:
    test edi, edi
    jz .mods_done
    PUTS "module"
    KV "start", [ebx]
    KV "end", [ebx+4]
    KV "string", [ebx+8]
    KV "reserved", [ebx+12]
    mov eax, [ebx]
    mov eax, [eax]
    KVR "first4", eax
    mov esi, [ebx+8]
    PUTS " "
    call putq
    NL
    add ebx, 16
    dec edi
    jmp .mod
.mods_done:
    ; memory map
    test dword [ebp], 1 << 6
    jz .mmap_done
    mov ebx, [ebp+48]
    mov ecx, ebx
    add ecx, [ebp+44]
.mmap:
    cmp ebx, ecx
    jae .mmap_done
    PUTS "mmap"
    KV "size", [ebx]
    KV "base_hi", [ebx+8]
    KV "base", [ebx+4]
    KV "len_hi", [ebx+16]
    KV "len", [ebx+12]
    KV "type", [ebx+20]
    NL
    mov eax, [ebx]
    lea ebx, [ebx+eax+4]
    jmp .mmap
.mmap_done:
    ; the bytes around the info structure: where do the strings and the mmap sit relative to it?
    PUTS "PROBE-END", 10
    mov dx, 0xf4
    xor eax, eax
    out dx, eax
.halt:
    cli
    hlt
    jmp .halt

; ---- output (every routine keeps all registers but EFLAGS)
; putc: AL
putc:
    push edx
    push eax
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    pop eax
    mov dx, COM1
    out dx, al
    pop edx
    ret
; puts: ESI -> NUL-terminated string
puts:
    push esi
    push eax
.l:
    lodsb
    test al, al
    jz .d
    call putc
    jmp .l
.d:
    pop eax
    pop esi
    ret
; putq: ESI -> NUL-terminated string, printed in double quotes with its length capped at 200
putq:
    push esi
    push eax
    push ecx
    mov al, '"'
    call putc
    mov ecx, 200
.l:
    lodsb
    test al, al
    jz .d
    call putc
    loop .l
.d:
    mov al, '"'
    call putc
    pop ecx
    pop eax
    pop esi
    ret
; puthex: EAX as 0x... without leading zeros
puthex:
    pushad
    mov ebx, eax
    mov al, '0'
    call putc
    mov al, 'x'
    call putc
    mov ecx, 8
    xor edx, edx            ; printed a digit yet?
.l:
    rol ebx, 4
    mov eax, ebx
    and eax, 0xf
    jnz .print
    test edx, edx
    jnz .print
    cmp ecx, 1
    jne .next
.print:
    mov edx, 1
    add al, '0'
    cmp al, '9'
    jbe .digit
    add al, 'a' - '9' - 1
.digit:
    call putc
.next:
    loop .l
    popad
    ret

section .data
align 4
s_eax: dd 0
s_ebx: dd 0
s_ecx: dd 0
s_edx: dd 0
s_esi: dd 0
s_edi: dd 0
s_ebp: dd 0
s_esp: dd 0
s_eip: dd 0
s_eflags: dd 0
s_cr0: dd 0
s_cr3: dd 0
s_cr4: dd 0
s_gdtr: dw 0
        dd 0
s_idtr: dw 0
        dd 0
s_ldtr: dw 0
s_tr: dw 0
s_cs: dw 0
s_ds: dw 0
s_es: dw 0
s_fs: dw 0
s_gs: dw 0
s_ss: dw 0
%ifdef AOUT
load_end:
%endif

section .bss
alignb 16
stack: resb 4096
stack_top:
%ifdef AOUT
bss_end:
%endif
