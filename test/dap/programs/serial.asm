; Writes a line to COM1, then asks isa-debug-exit (port 0xF4) to end the machine with 0x2A.
bits 64
org 0x100000

_start:
    lea rsi, [rel msg]
.next:
    lodsb
    test al, al
    jz .done
    mov dx, 0x3f8
    out dx, al                  ; @s-out
    jmp .next
.done:
    mov al, 0x2a
    out 0xf4, al                ; @s-exit
    hlt

msg: db "Hello from COM1", 10, 0
