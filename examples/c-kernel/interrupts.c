/* KStack example C kernel: the 8259 PICs, the PIT, and the C interrupt handlers. */
#include "kernel.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_HZ 1193182u
#define TIMER_HZ 100u

volatile u64 ticks;
u32 interrupt_counts[VEC_LAST + 1];

/* The last exception a handler saw, for the debugger to show. */
struct fault_record {
	enum vector vector;
	u64 error_code;
	u64 rip;
	u64 address; /* CR2 for a page fault */
	bool handled;
};
struct fault_record last_fault;

void interrupts_init(void)
{
	/* ICW1-4: edge triggered, cascade, vectors 32-39 and 40-47, 8086 mode */
	outb(PIC1_CMD, 0x11);
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, VEC_IRQ0);
	outb(PIC2_DATA, VEC_IRQ0 + 8);
	outb(PIC1_DATA, 4);
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, 1);
	outb(PIC2_DATA, 1);
	/* only IRQ0 (the timer) unmasked */
	outb(PIC1_DATA, 0xFE);
	outb(PIC2_DATA, 0xFF);
	/* PIT channel 0, lobyte/hibyte, mode 2 (rate generator) */
	u32 divisor = PIT_HZ / TIMER_HZ;
	outb(PIT_CMD, 0x34);
	outb(PIT_CH0, (u8)(divisor & 0xFF));
	outb(PIT_CH0, (u8)(divisor >> 8));
}

static void timer_irq(struct interrupt_frame *f)
{
	ticks++;
	(void)f;
	outb(PIC1_CMD, 0x20); /* EOI */
}

static void breakpoint_handler(struct interrupt_frame *f)
{
	/* INT3 leaves RIP after the instruction: nothing to fix, just report */
	last_fault.vector = VEC_BREAKPOINT;
	last_fault.error_code = 0;
	last_fault.rip = f->rip;
	last_fault.address = 0;
	last_fault.handled = true;
	puts("int3: breakpoint handler on the IST2 stack, rbx=");
	put_hex(f->rbx);
	puts("\n");
}

/* The page directory entry for 8-10 MiB starts not present: map it on first touch. */
extern u64 pd[512];

static bool map_on_demand(u64 address)
{
	u64 index = address >> 21;

	if (index != 4 || (pd[index] & 1))
		return false;
	pd[index] |= 1;
	__asm__ volatile("invlpg (%0)" : : "r"(address) : "memory");
	return true;
}

static void page_fault_handler(struct interrupt_frame *f)
{
	u64 address = read_cr2();

	last_fault.vector = VEC_PAGE_FAULT;
	last_fault.error_code = f->error_code;
	last_fault.rip = f->rip;
	last_fault.address = address;
	last_fault.handled = map_on_demand(address);
	puts("#PF at ");
	put_hex(address);
	puts(" error code ");
	put_hex(f->error_code);
	puts(last_fault.handled ? ": mapped\n" : ": fatal\n");
	if (!last_fault.handled)
		exit_qemu(0x10);
}

static void unexpected(struct interrupt_frame *f)
{
	puts("unexpected interrupt: vector ");
	put_dec(f->vector);
	puts(" at rip ");
	put_hex(f->rip);
	puts("\n");
	exit_qemu(0x7F);
}

void interrupt_dispatch(struct interrupt_frame *f)
{
	if (f->vector <= VEC_LAST)
		interrupt_counts[f->vector]++;
	switch (f->vector) {
	case VEC_TIMER:
		timer_irq(f);
		break;
	case VEC_BREAKPOINT:
		breakpoint_handler(f);
		break;
	case VEC_PAGE_FAULT:
		page_fault_handler(f);
		break;
	default:
		unexpected(f);
	}
}
