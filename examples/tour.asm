; tour: one kernel that visits every IST stack of the note, in order. `npm start` (kstack tour)
; boots it, injects the machine check, and prints the serial output, each interrupt and stack
; switch, and the TSS's stacks with how deep each one went.
;
;   IST4  #DB   a hardware breakpoint (DR0) on bp_target          (05-debug has more)
;   IST3  NMI   sent through the local APIC's ICR                 (04-nmi: the held second NMI)
;   IST1  #SS   a PUSH with a non-canonical RSP                   (07-stack-fault)
;   IST5  #MC   injected by the debugger when RIP reaches mc_wait (06-machine-check)
;   IST2  #DF   a kernel stack overflow (last: the kernel stops)  (03-double-fault)
;
; Each handler prints where it runs and the frame the CPU pushed, and returns to the next stop.
; In VS Code: F5 on "tour" in examples/.vscode/launch.json; set breakpoints on the handlers
; (db_handler, nmi_handler, ss_handler, mc_handler, df_handler) and watch the Stacks scope
; (Variables) and the Call Stack as RSP moves from thread_stack to each IST stack and back.

%define EXAMPLE_NAME "tour"
%include "lib/kernel.inc"

SYM main
    SET_GATE 1, db_handler, 4, GATE_INT
    SET_GATE 2, nmi_handler, 3, GATE_INT
    SET_GATE 12, ss_handler, 1, GATE_INT
    SET_GATE 18, mc_handler, 5, GATE_INT
    SET_GATE 8, df_handler, 2, GATE_INT
    mov [good_rsp], rsp

    PUTSLN "1. #DB: a hardware breakpoint on bp_target (DR0)"
    mov rax, bp_target
    mov dr0, rax
    mov eax, 1                  ; DR7.L0: execute
    mov dr7, rax
    SET_RFLAGS 0x2
    call bp_target              ; #DB (a fault) before its first instruction
    xor eax, eax
    mov dr7, rax

    PUTSLN "2. NMI: sent to ourselves through the local APIC"
    mov eax, APIC
    mov dword [rax + APIC_ICR_HI], 0
    SET_RFLAGS 0x2
    mov dword [rax + APIC_ICR_LO], 0x4400   ; delivery mode NMI, destination APIC ID 0
SYM nmi_wait
    cmp byte [nmi_seen], 0      ; the NMI arrives here
    je nmi_wait

    PUTSLN "3. #SS: a push with a non-canonical RSP"
    SET_RFLAGS 0x2
    mov rsp, 0x8000000000000000
SYM bad_push
    push rax                    ; the handler goes on at after_ss with RSP = good_rsp
SYM after_ss

    PUTSLN "4. #MC: waiting for the machine check the debugger injects at mc_wait"
    mov rax, cr4
    or eax, 1 << 6              ; CR4.MCE
    mov cr4, rax
    SET_RFLAGS 0x2
SYM mc_wait
    cmp byte [mc_seen], 0       ; the machine check arrives here
    je mc_wait

    PUTSLN "5. #DF: a kernel stack overflow (the page below thread_stack unmapped)"
    call map_guard_page_out
    SET_RFLAGS 0x2
SYM recurse
    call recurse                ; its #PF cannot be delivered on this stack: #DF

SYM bp_target
    nop
    ret

; ---------------------------------------------------------------------------- handlers
SYM db_handler
    mov rbp, rsp
    PADDR "   #DB on IST4: rsp=", rbp
    PADDR " frame rip=", [rbp]
    PUTS 10
    bts qword [rbp + 16], 16    ; RF: run bp_target's instruction after IRETQ
    mov rax, 0xFFFF0FF0
    mov dr6, rax
    iretq

SYM nmi_handler
    mov rbp, rsp
    PADDR "   NMI on IST3: rsp=", rbp
    PADDR " frame rip=", [rbp]
    PUTS 10
    mov byte [nmi_seen], 1
    iretq

SYM ss_handler
    mov rbp, rsp
    PADDR "   #SS on IST1: rsp=", rbp
    PHEX " error=", [rbp]
    PADDR " frame rip=", [rbp + 8]
    PHEX " rsp=", [rbp + 32]
    PUTS 10
    ; RSP cannot be returned to: recover as a kernel kills the faulting task, by leaving the
    ; frame where it is and going on elsewhere on a good stack.
    mov rsp, [good_rsp]
    jmp after_ss

SYM mc_handler
    mov rbp, rsp
    PADDR "   #MC on IST5: rsp=", rbp
    PADDR " frame rip=", [rbp]
    mov ecx, 0x17A              ; MCG_STATUS
    rdmsr
    PHEX " MCG_STATUS=", rax
    PUTS 10
    xor eax, eax
    xor edx, edx
    wrmsr                       ; MCIP = 0
    mov byte [mc_seen], 1
    iretq

SYM df_handler
    mov rbp, rsp
    PADDR "   #DF on IST2: rsp=", rbp
    PHEX " error=", [rbp]
    PADDR " frame rip=", [rbp + 8]
    PADDR " rsp=", [rbp + 32]
    PUTS 10
    mov rax, cr2
    PHEX "   cr2=", rax
    PUTS " (the guard page: thread_stack_bottom-8)", 10
    PUTSLN "tour: every IST stack visited"
    xor edi, edi
    jmp exit

; The first 2 MiB by 4 KiB pages, without thread_stack_guard (as in 03-double-fault).
map_guard_page_out:
    mov rax, cr3
    and rax, ~0xFFF
    mov rax, [rax]
    and rax, ~0xFFF
    mov rax, [rax]
    and rax, ~0xFFF
    mov rbx, rax                ; the page directory of the first GiB
    xor ecx, ecx
.fill:
    mov rdx, rcx
    shl rdx, 12
    or rdx, 3                   ; present, writable
    mov [page_table + rcx*8], rdx
    inc ecx
    cmp ecx, 512
    jne .fill
    mov rax, thread_stack_guard
    shr rax, 12
    mov qword [page_table + rax*8], 0
    mov rax, page_table
    or rax, 3
    mov [rbx], rax
    mov rax, cr3
    mov cr3, rax
    ret

section .bss
alignb 4096
page_table: resq 512
good_rsp: resq 1
nmi_seen: resb 1
mc_seen: resb 1
