; Interrupt and exception entry for the debugger's filters, label frames and system tables (direct
; 64-bit state, CPL0): a GDT with a 64-bit TSS (RSP0 = kernel_stack_top, IST1 = nmi_stack_top),
; an IDT with an NMI gate on IST1, a #PF gate and INT 0x80 / 0x40 gates on the current stack.
; main calls work, which raises INT 0x80, sends itself an NMI through the local APIC, writes to
; an unmapped address (#PF, error code 2: W=1, P=0), then gets a nested INT 0x40 inside INT 0x80.
bits 64
org 0x100000

%macro GATE 3                   ; vector, handler, IST index (0: none)
    mov rax, %2
    mov rdi, idt + (%1) * 16
    mov [rdi], ax
    mov word [rdi + 2], 0x08
    mov byte [rdi + 4], %3
    mov byte [rdi + 5], 0x8e    ; present, DPL 0, 64-bit interrupt gate
    shr rax, 16
    mov [rdi + 6], ax
    shr rax, 16
    mov [rdi + 8], eax
    mov dword [rdi + 12], 0
%endmacro

APIC equ 0xfee00000

_start:
    mov rsp, kernel_stack_top   ; @i-entry
    lgdt [gdt_ptr]
    mov rax, tss                ; the TSS descriptor (selector 0x18): limit 0x67, type 9
    mov rdi, gdt + 0x18
    mov word [rdi], 0x67
    mov [rdi + 2], ax
    shr rax, 16
    mov [rdi + 4], al
    mov byte [rdi + 5], 0x89
    mov byte [rdi + 6], 0
    mov [rdi + 7], ah
    shr rax, 16
    mov [rdi + 8], eax
    mov dword [rdi + 12], 0
    mov rax, nmi_stack_top
    mov [tss + 36], rax         ; IST1
    mov rax, kernel_stack_top
    mov [tss + 4], rax          ; RSP0
    mov word [tss + 0x66], 0x68 ; I/O map base: no map
    mov ax, 0x18
    ltr ax
    GATE 2, nmi_handler, 1
    GATE 14, pf_handler, 0
    GATE 0x80, syscall_handler, 0
    GATE 0x40, irq_handler, 0
    lidt [idt_ptr]
    mov rax, APIC
    mov dword [rax + 0xf0], 0x1ff   ; local APIC software-enabled
    call main
    mov rax, [nmi_count]        ; @i-done
    hlt

main:
    push rbp
    mov rbp, rsp
    call work                   ; @i-call-work
    pop rbp
    ret

work:
    push rbp
    mov rbp, rsp
    mov rbx, 0x1234
    int 0x80                    ; @i-int80
    mov rax, APIC
    mov dword [rax + 0x310], 0  ; ICR high: destination APIC ID 0 (ourselves)
    mov dword [rax + 0x300], 0x4400 ; @i-icr  ICR low: NMI, assert
nmi_wait:
    cmp qword [nmi_count], 0    ; @i-nmi-wait
    je nmi_wait
    mov rax, 0x100000000        ; not mapped (reset64 maps the first 4 GiB)
    mov [rax], rbx              ; @i-pf  #PF: write, not present
    mov rcx, 7                  ; @i-after-pf
    pop rbp
    ret

nmi_handler:
    push rax                    ; @i-nmi-first
    inc qword [nmi_count]
    pop rax
    iretq                       ; @i-nmi-iretq

pf_handler:
    add rsp, 8                  ; @i-pf-first  drop the error code
    add qword [rsp], 3          ; resume after the 3-byte faulting store
    iretq

syscall_handler:
    push rbp                    ; @i-syscall-first
    mov rbp, rsp
    cmp qword [nested], 0
    jne .out
    mov qword [nested], 1
    int 0x40                    ; @i-int40  nested: a frame on the same stack
.out:
    pop rbp
    iretq

irq_handler:
    nop                         ; @i-irq-first
    iretq

gdt_ptr:
    dw 0x27
    dq gdt
idt_ptr:
    dw 256 * 16 - 1
    dq idt

align 8
gdt:
    dq 0
    dq 0x00209a0000000000       ; 0x08 code, 64-bit
    dq 0x0000920000000000       ; 0x10 data
    dq 0, 0                     ; 0x18 TSS (filled in)

nmi_count: dq 0
nested: dq 0

section .bss
alignb 4096
idt:                resb 4096
tss:                resb 4096
nmi_stack:          resb 4096
nmi_stack_top:
kernel_stack:       resb 8192
kernel_stack_top:
