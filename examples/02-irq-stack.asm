; 02-irq-stack: the software switch to the per-CPU IRQ stack, decided by a nest counter.
;
; The note: "If this is the first external hardware interrupt (i.e. not a nested hardware
; interrupt) then the kernel switches from the current task to the interrupt stack ... done by
; software based on a per CPU interrupt nest counter." The IRQ gates here have no IST: the CPU
; pushes the frame on whatever stack was current (the thread stack), and the entry code moves on.
; Linux 2.6's entry code: `incl %gs:pda_irqcount; cmoveq %gs:pda_irqstackptr, %rsp`: the count
; starts at -1, so it reaches 0 (switch) only on the outermost interrupt.
;
; What it does:
;   1. main sends itself IPI 0x30 (through the local APIC's ICR) with interrupts off, then
;      `sti; hlt`: the interrupt arrives at the HLT, on thread_stack.
;   2. irq_entry: irq_count -1 -> 0: switch to irq_stack_top. do_irq(0x30) sends IPI 0x40 (a
;      higher priority class, so the APIC lets it through) and enables interrupts.
;   3. The nested IRQ 0x40 is pushed on the IRQ stack (the current stack); irq_count 0 -> 1: no
;      switch. It returns; then IRQ 0x30 returns; irq_count is -1 again, RSP back on the thread.
;
; Watch for (F5 on "02 IRQ stack"; the configuration names irq_stack in `stacks`):
;   - a breakpoint on irq_entry: the first hit is on thread_stack, the second on irq_stack.
;   - a watch on `irq_count` (a data breakpoint on it stops at every change).
;   - the Call Stack: the nested interrupt shows two interrupt frames, on two different stacks.

%define EXAMPLE_NAME "02-irq-stack"
%include "lib/kernel.inc"

ICR_FIXED equ 0x4000            ; fixed delivery, level assert (destination: APIC ID 0, us)

SYM main
    SET_GATE 0x30, irq30, 0, GATE_INT
    SET_GATE 0x40, irq40, 0, GATE_INT
    PUTSLN "irq_count=-1 (no IRQ being handled)"
    mov esi, ICR_FIXED | 0x30
    call send_ipi               ; pending in the APIC until IF = 1
    sti
    hlt                         ; STI's one-instruction shadow: the IRQ arrives at the HLT
SYM after_hlt
    cli
    PADDR "back in main: rsp=", rsp
    cmp qword [irq_count], -1
    jne .bad
    PUTSLN " irq_count=-1"
    xor eax, eax
    ret
.bad:
    PHEX " irq_count=", [irq_count]
    PUTS 10
    mov eax, 1
    ret

; One stub per vector: push the vector, then the common entry.
irq30:
    push qword 0x30
    jmp irq_entry
irq40:
    push qword 0x40
    jmp irq_entry

; [rsp] = vector, then the CPU's frame (RIP CS RFLAGS RSP SS).
SYM irq_entry
    push rdi
    push rbp
    mov rbp, rsp                ; the interrupted stack (frame + vector + 2 registers)
    inc qword [irq_count]
    jnz .on_irq_stack           ; count > 0: nested, we are already on the IRQ stack
    mov rsp, irq_stack_top      ; count == 0: the outermost IRQ: switch
.on_irq_stack:
    mov rsi, rsp                ; the stack the handler runs on
    push rbp                    ; remember where to go back to
    mov rdi, [rbp + 16]         ; the vector
    call do_irq
    pop rsp                     ; back to the interrupted stack
    dec qword [irq_count]
    pop rbp
    pop rdi
    add rsp, 8                  ; drop the vector
    iretq

; do_irq(rdi = vector, rsi = the stack irq_entry chose); [rsp+8] = the interrupted stack's RSP
SYM do_irq
    push rbp
    push rdx
    mov rbp, [rsp + 24]
    lea rdx, [rbp + 24]                 ; the CPU's frame: above RBP, RDI and the vector
    PHEX "irq ", rdi
    PADDR ": cpu frame at ", rdx
    PHEX " irq_count=", [irq_count]
    PUTS 10
    PHEX "irq ", rdi
    PADDR ": handler runs on ", rsi
    PUTS 10
    cmp edi, 0x30
    jne .done
    mov esi, ICR_FIXED | 0x40
    call send_ipi               ; a higher-priority IRQ, taken as soon as IF = 1
    sti
    hlt                         ; ... here: nested on the IRQ stack
    cli
.done:
    PHEX "irq ", rdi
    PUTSLN " done"
    call apic_eoi
    pop rdx
    pop rbp
    ret

section .data
irq_count: dq -1                ; Linux: per-CPU irq_count, -1 when no IRQ is being handled
