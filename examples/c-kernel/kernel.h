/* KStack example C kernel: shared types, port I/O, and the interrupt frame the stubs build. */
#ifndef KERNEL_H
#define KERNEL_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long i64;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

/* What isr.S pushes, lowest address first: struct interrupt_frame *f = the stub's RSP. */
struct interrupt_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector;
	u64 error_code;
	/* pushed by the CPU */
	u64 rip, cs, rflags, rsp, ss;
};

enum vector {
	VEC_DIVIDE = 0,
	VEC_BREAKPOINT = 3,
	VEC_DOUBLE_FAULT = 8,
	VEC_GENERAL_PROTECTION = 13,
	VEC_PAGE_FAULT = 14,
	VEC_IRQ0 = 32,
	VEC_TIMER = VEC_IRQ0,
	VEC_LAST = 47,
};

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline u64 read_cr2(void)
{
	u64 v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/* serial.c */
void serial_init(void);
void putc(char c);
void puts(const char *s);
void put_hex(u64 v);
void put_dec(u64 v);

/* interrupts.c */
void interrupts_init(void);
void interrupt_dispatch(struct interrupt_frame *f);
extern volatile u64 ticks;
extern u32 interrupt_counts[VEC_LAST + 1];

/* kmain.c */
void kmain(void) __attribute__((noreturn));
void exit_qemu(u32 code) __attribute__((noreturn));

#endif
