; 08-ist-nesting: two events on the same IST stack, nested: the second frame overwrites the first.
;
; The note: "in most cases, the stack size allocated to an IST assumes no nesting for the same
; code. If that assumption is ever broken then the stacks will become corrupt." The CPU loads RSP
; from the TSS's IST entry on every delivery through such a gate; it does not know a handler is
; already running there. The note's kernel put #DB and #BP (INT3) on the same DEBUG_STACK.
;
; What it does:
;   1. #DB (vector 1) and #BP (vector 3) both use IST4. DR0 breaks on bp_target.
;   2. db_handler runs at debug_stack_top-0x28 and prints its frame (RIP = bp_target). It saves
;      two registers, then executes INT3 (as a debugger's breakpoint in a handler would).
;   3. The #BP delivery reloads RSP from TSS.IST4 = debug_stack_top: its frame goes exactly where
;      the #DB frame is. bp_handler returns; db_handler's frame now holds the #BP frame: its RIP
;      is after_int3, inside db_handler, and its RSP the handler's own stack. An IRETQ now would
;      jump back into the handler, on the IST stack, with bp_target never resumed.
;   The cure is 05-debug's: move the IST entry down while the handler runs (or do not nest).
;
; Watch for (F5 on "08 IST nesting"):
;   - a breakpoint on db_handler, then open the debug stack in the Memory view ("KStack: Open a
;     Stack..."): step over the INT3 and watch the five frame quadwords change under you.
;   - the Call Stack after the INT3: the #DB interrupt frame's caller is now db_handler itself.

%define EXAMPLE_NAME "08-ist-nesting"
%include "lib/kernel.inc"

SYM main
    SET_GATE 1, db_handler, 4, GATE_INT     ; #DB: IST4
    SET_GATE 3, bp_handler, 4, GATE_INT     ; #BP: IST4 too (the note's DEBUG_STACK)
    mov rax, bp_target
    mov dr0, rax
    mov eax, 1                  ; DR7.L0: execute breakpoint on bp_target
    mov dr7, rax
    SET_RFLAGS 0x2
    call bp_target
    ; not reached: db_handler cannot return here
    mov eax, 1
    ret

SYM bp_target
    nop
    ret

SYM db_handler
    push rax                    ; saved registers: they are in the way of the #BP frame too
    push rbp
    lea rbp, [rsp + 16]         ; the #DB frame
    PADDR "#DB: rsp at entry=", rbp
    PUTS 10
    PUTS "#DB: my frame "
    mov rdi, rbp
    call print_frame
    PUTS 10
    PUTSLN "#DB: int3 (its gate uses the same IST)"
    SET_RFLAGS 0x2
    int3
SYM after_int3
    PUTS "#DB: my frame now "
    mov rdi, rbp
    call print_frame
    PUTS 10
    mov rax, [rbp]
    cmp rax, bp_target
    je .intact
    PUTSLN "#DB: the frame was overwritten: IRETQ would not return to bp_target"
    xor edi, edi                ; what the example shows happened: exit 0
    jmp exit
.intact:
    PUTSLN "#DB: frame intact (unexpected)"
    mov edi, 1
    jmp exit

SYM bp_handler
    mov rbp, rsp
    PADDR "#BP: rsp at entry=", rbp
    PUTS 10
    PUTS "#BP: frame "
    mov rdi, rbp
    call print_frame
    PUTS 10
    iretq
