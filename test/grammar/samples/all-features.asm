; all-features.asm: every construct the NASM grammar scopes, in a file NASM itself assembles
; (nasm -f elf64 all-features.asm). Its scope snapshot is test/grammar/snapshots/samples-all-features.asm.snap.txt.

; ---- preprocessor ------------------------------------------------------------------------------
%define VERSION 3
%define MAX(a, b) ((a) > (b) ? (a) : (b))
%xdefine LATER VERSION + 1
%idefine caseless 7
%assign counter 0
%defstr VERSION_TEXT VERSION
%deftok TOKEN "counter"
%strlen NAME_LEN "kstack"
%substr FIRST "kstack" 1
%strcat JOINED "k", "stack"
%define LONG_SUM 1 + \
                 2
%undef caseless
%use smartalign

%ifdef VERSION
  %if VERSION > 2 && VERSION <= MAX(4, 5)
    %assign counter counter + 1
  %elif VERSION == 2
    %warning "old version"
  %else
    %error "unknown version"
  %endif
%elifndef LATER
%endif
%ifidni __?OUTPUT_FORMAT?__, elf64
%endif
%if 0
  %include "never.inc"
  %fatal stop ; a message without quotes
%endif

; a multi-line macro with a greedy last parameter, a default and a macro-local label
%macro SAVE_AND_CALL 1-2+.nolist rax
%%again:
    push %2
    call %1
    pop %2
    jz %%again
%endmacro

%imacro zero 1
    xor %1, %1
%endmacro

; %rep, %exitrep, %rotate, %0, %+ token pasting, %? (the macro's name)
%macro PUSH_ALL 1-*
  %rep %0
    push %1
    %rotate 1
  %endrep
%endmacro
%macro DEFINE_FIELD 2
    field_%+%1: dq %2
    db %str(%?), 0
%endmacro

; context-local labels
%macro IF_ZERO 0
  %push ifz
    jnz %$skip
%endmacro
%macro END_IF 0
  %$skip:
  %pop
%endmacro

; ---- data and constants ---------------------------------------------------------------------------
        section .data progbits alloc noexec write align=16
HERE_OFFSET equ $ - $$
numbers:
        dq 200, 0200, 0200d, 0d200, 99t, 0t99       ; decimal
        dq 0c8h, 1Fh, 0xc8, 0XC8, 0hc8, $0c8, 1Fx   ; hexadecimal
        dq 310q, 310o, 0o310, 0q310                 ; octal
        dq 11001000b, 1100_1000b, 1100_1000y        ; binary
        dq 0b1100_1000, 0y1100_1000, 1_000_000
        dd 1.5, 1.e10, 1.e+10, 1.e-10, 3.141_592, 1e10
        dq 0x1.8p3, 0x1p+2, 0h1.8p3, 0b1.1p0, 0q7.4p0
        dd __?float32?__(1.5), __float32__(2.5)
        dq __?Infinity?__, __?QNaN?__
strings:
        db 'single; not a comment', "double; not either", 0
        db `back\`quote\n\t\x41\101\u00e9\e\?`, 0
        dw __?utf16?__("wide"), __utf16__('x')
char_in_insn:
        dd 'abcd'
table   times 4 db 0xff
        times 510-($-$$) % 16 db 0
        align 16, db 0
        sectalign 16

; a structure and an instance of it
        struc point
.x:     resd 1
.y      resd 1
        endstruc
origin: istruc point
        at .x, dd 1
        at .y, dd 2
        iend

..@not_local: db 1
$eax:   db 2                                        ; the symbol eax, not the register
VERSION_STRING: db VERSION_TEXT, 0

        section .bss nobits alloc noexec write align=64
        common shared_area 64:8
empty   resb 16
words:  resw 2
        alignb 8
stack_bottom:
        resb 4096
stack_top:

; ---- code -----------------------------------------------------------------------------------------
        section .text exec
        bits 64
        default rel
        cpu x64
        global kmain:function hidden, helper
        extern far_away
        static private_helper

kmain:
        mov rax, cr3                ; a control register
        mov cr4, rax
        mov rbx, dr7                ; a debug register
        mov dr0, rbx
        mov ax, ds                  ; a segment register
        mov es, ax
        lea rsi, [rel numbers]
        lea rdi, [rel strings]
        mov rax, [rel far_away wrt ..got]
        call far_away wrt ..plt
        mov r8d, [rsp + 8*rcx - 16]
        mov r15b, byte [fs:rax]
        mov word [gs:0x10], 1
        mov qword [rbx], strict dword 5
        movzx eax, word [abs 0x1000]
        lock xadd [rbx], eax
        rep movsb
        repne scasb
        repz cmpsq
        o16 stosw
        a32 lodsb
        fs mov eax, [abs 0]
        rep                         ; a prefix alone
        jz .loop                    ; NASM's aliases: jz = je
        cmovnae ecx, edx
        setnae al
        jmp short .loop
        jmp near helper
        jmp far [far_ptr]
        call [rel far_ptr]
        mov eax, 'ab'               ; a character constant
        mov ecx, 1011b
        mov edx, $
        int3
        swapgs
        retq
.loop:
        dec ecx
        jnz .loop
        IF_ZERO
        zero rax
        END_IF
        SAVE_AND_CALL helper, rbx
        SAVE_AND_CALL helper
        PUSH_ALL rax, rbx
        ret
helper: ret
private_helper:
        ret
far_ptr: dq 0
        DEFINE_FIELD one, 1
        mov eax, %[VERSION]
        mov ecx, __?BITS?__
        ;#region a folded region
        nop
        ;#endregion

%ifidn __?OUTPUT_FORMAT?__, bin               ; not assembled here (elf64), still highlighted
        org 0x7c00
        lea rdi, [rip + strings]
        mov dx, seg kmain
        mov eax, kmain wrt ..start
        absolute 0x500
scratch: resb 16
        incbin "blob.bin", 16, 32
        [map all out.map]
%endif
        [warning -orphan-labels]
        [bits 64]
        [section .text]
        __SECT__
