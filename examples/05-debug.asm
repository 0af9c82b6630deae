; 05-debug: #DB on the DEBUG_STACK (IST4): single step, a hardware breakpoint, and a nested #DB
; that works because the handler moves its IST entry on entry and back on exit.
;
; The note: "If software wants to allow nested IST interrupts then the handler must adjust the IST
; values on entry to and exit from the interrupt handler. (This is occasionally done, e.g. for
; debug exceptions.)" Linux 2.6's paranoidentry subtracted EXCEPTION_STKSZ from the TSS's IST
; entry before calling the handler and added it back after; DEBUG_STKSZ is twice the size, so
; one nested #DB fits below the first.
;
; What it does:
;   1. Single step: POPFQ sets TF. After every instruction that began with TF = 1 the CPU raises
;      #DB (a trap: the frame's RIP is the next instruction), DR6.BS (0x4000) set. The handler
;      clears DR6 (the CPU never does). The last #DB comes after the POPFQ that clears TF.
;   2. Hardware breakpoint: DR0 = bp_target, DR7.L0 (execute). #DB is a fault there: the frame's
;      RIP is bp_target itself and DR6.B0 is set; the handler sets RF in the saved RFLAGS so the
;      instruction runs after IRETQ instead of breaking again.
;   3. Nested #DB: DR1 = nested_target (execute). The second time bp_target breaks, the handler
;      calls nested_target itself: a #DB (DR6.B1) inside the #DB handler (delivery cleared RF, so
;      the breakpoint is live there). Since the handler lowered TSS.IST4 by 4 KiB on entry, the
;      nested frame lands 4 KiB below, and the outer frame is still intact when it returns.
;      (Without the adjustment the nested frame would overwrite the outer one: 08-ist-nesting.)
;
; Watch for (F5 on "05 debug"):
;   - a breakpoint on db_handler: the Stacks scope shows RSP on debug_stack; the System scope DR6/DR7.
;   - Watch `[tss+0x3c]` (TSS.IST4, a quadword): it drops by 0x1000 while a #DB is handled.
;   - the Call Stack at the nested #DB: two interrupt frames on the one debug stack, 4 KiB apart.
;   - the debugger's own breakpoints do not use DR0-DR7: the guest's debug registers are its own.

%define EXAMPLE_NAME "05-debug"
%include "lib/kernel.inc"

IST_ADJUST equ 4096             ; how far db_handler moves TSS.IST4 down while it runs

SYM main
    SET_GATE 1, db_handler, 4, GATE_INT     ; #DB: IST4, the debug stack
    PUTSLN "-- single step"
    SET_RFLAGS 0x102            ; TF = 1: no #DB after this POPFQ (it did not begin with TF = 1)
SYM step1
    mov eax, 1
SYM step2
    mov ebx, 2
SYM step3
    SET_RFLAGS 0x2              ; PUSH and POPFQ both begin with TF = 1: two more #DBs

    PUTSLN "-- hardware breakpoint (DR0, execute)"
    mov rax, bp_target
    mov dr0, rax
    mov rax, nested_target
    mov dr1, rax
    mov eax, 0x1                ; DR7.L0: DR0 on, RW0 = 00 (execute), LEN0 = 00
    mov dr7, rax
    SET_RFLAGS 0x2
    call bp_target              ; #DB before bp_target's first instruction

    PUTSLN "-- nested #DB (DR1 on nested_target, which the #DB handler calls)"
    mov eax, 0x5                ; + L1: DR1 on, execute
    mov dr7, rax
    mov byte [nest], 1
    SET_RFLAGS 0x2
    call bp_target
    mov rax, [tss + TSS_IST(4)]
    PADDR "TSS.IST4 after both returned=", rax
    PUTS 10
    xor eax, eax
    mov dr7, rax
    ret

SYM bp_target
    nop
    ret

SYM nested_target
    nop
    ret

; #DB: no error code. [rsp] = RIP CS RFLAGS RSP SS.
SYM db_handler
    sub qword [tss + TSS_IST(4)], IST_ADJUST    ; entry: a nested #DB lands below this frame
    push rbp
    push rax
    push rdi
    lea rbp, [rsp + 24]         ; the CPU's frame
    mov rax, dr6
    mov rdi, rax
    mov rax, 0xFFFF0FF0         ; clear DR6 (B0-B3, BS) for the next #DB
    mov dr6, rax
    inc qword [db_count]
    PDEC "#DB ", [db_count]
    PADDR ": rsp at entry=", rbp
    PHEX " dr6=", rdi
    PUTS 10
    PDEC "#DB ", [db_count]
    PUTS ": frame "
    push rdi
    mov rdi, rbp
    call print_frame
    pop rdi
    PUTS 10
    test edi, 3                 ; B0 or B1: an execute breakpoint (a fault)
    jz .out
    bts qword [rbp + 16], 16    ; RF = 1 in the saved RFLAGS: run the instruction this time
    test edi, 1
    jz .out
    cmp byte [nest], 0
    je .out
    PUTSLN "#DB: calling nested_target from inside the handler..."
    SET_RFLAGS 0x2              ; known flags in the nested frame
    call nested_target          ; DR1: a nested #DB at its first instruction
    PADDR "#DB: back in the outer handler; outer frame rip=", [rbp]
    PADDR " rsp=", [rbp + 24]
    PUTS 10
.out:
    pop rdi
    pop rax
    pop rbp
    add qword [tss + TSS_IST(4)], IST_ADJUST    ; exit: give the space back
    iretq

section .data
db_count: dq 0
nest: db 0
