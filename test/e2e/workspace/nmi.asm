; The end-to-end test's program (test/e2e): a 64-bit kernel entered directly in long mode that
; builds its own GDT with a TSS (RSP0 and IST1), an IDT whose NMI gate switches to IST1, computes
; a little, waits for an NMI (injected from the debugger: "KStack: Inject NMI"), prints to COM1
; and ends the machine through isa-debug-exit (port 0xF4). Lines are found by their @markers.
bits 64
org 0x100000

_start:
    mov rsp, thread_stack_top   ; @entry
    call setup_tables           ; @call-setup
    xor ecx, ecx
    mov rbx, 3
again:
    call add_one                ; @call-add-one
    dec rbx
    jnz again
    mov [result], rcx           ; @store
wait_nmi:
    cmp qword [nmi_count], 0    ; @wait
    je wait_nmi
    lea rsi, [rel done_msg]     ; @after-nmi
    call puts
    mov al, 0
    out 0xf4, al                ; @exit
    hlt

; rcx += 1
add_one:
    inc rcx                     ; @add-one
    ret

; The NMI handler: runs on IST1 (the gate's IST field), counts, returns.
nmi_entry:
    push rax                    ; @nmi-entry
    inc qword [nmi_count]       ; @nmi-count
    pop rax
    iretq                       ; @nmi-iret

; Writes the zero-terminated string at rsi to COM1.
puts:
    mov dx, 0x3f8
.next:
    lodsb
    test al, al
    jz .done
    out dx, al
    jmp .next
.done:
    ret

; GDT (null, code64 0x08, data 0x10, TSS 0x18), TR, and the IDT with the NMI gate.
setup_tables:
    lea rax, [rel tss]
    mov [gdt_tss + 2], ax       ; base 15:0
    shr rax, 16
    mov [gdt_tss + 4], al       ; base 23:16
    mov [gdt_tss + 7], ah       ; base 31:24
    shr rax, 16
    mov [gdt_tss + 8], eax      ; base 63:32
    lgdt [gdtr]
    mov ax, 0x18
    ltr ax                      ; @ltr
    lea rax, [rel kernel_stack_top]
    mov [tss + 4], rax          ; RSP0
    lea rax, [rel nmi_stack_top]
    mov [tss + 0x24], rax       ; IST1
    lea rax, [rel nmi_entry]
    lea rdi, [rel idt + 2 * 16] ; vector 2: NMI
    mov [rdi], ax               ; offset 15:0
    mov word [rdi + 2], 0x08    ; selector
    mov byte [rdi + 4], 1       ; IST1
    mov byte [rdi + 5], 0x8e    ; present, DPL 0, 64-bit interrupt gate
    shr rax, 16
    mov [rdi + 6], ax           ; offset 31:16
    shr rax, 16
    mov [rdi + 8], eax          ; offset 63:32
    lidt [idtr]
    ret                         ; @setup-done

done_msg: db "nmi.asm: NMI handled on IST1, done", 10, 0

align 16
gdt:
    dq 0
    dq 0x00af9b000000ffff       ; 0x08: 64-bit code, DPL 0
    dq 0x00cf93000000ffff       ; 0x10: data
gdt_tss:                        ; 0x18: 64-bit TSS (available), 16 bytes; base filled in at run time
    dw 0x67, 0
    db 0, 0x89, 0, 0
    dq 0
gdt_end:
gdtr:
    dw gdt_end - gdt - 1
    dq gdt
idtr:
    dw 256 * 16 - 1
    dq idt

align 8
result:    dq 0
nmi_count: dq 0

section .bss
alignb 16
tss:     resb 0x68
alignb 16
idt:     resb 256 * 16
kernel_stack:   resb 4096       ; RSP0
kernel_stack_top:
nmi_stack:      resb 4096       ; IST1
nmi_stack_top:
thread_stack:   resb 4096
thread_stack_top:
