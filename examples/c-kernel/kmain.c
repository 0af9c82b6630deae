/* KStack example C kernel: what it does once in long mode, with globals, structs and arrays to
 * look at in the debugger. Prints over COM1 and exits through the isa-debug-exit port. */
#include "kernel.h"

struct task {
	const char *name;
	u32 id;
	enum { TASK_READY, TASK_RUNNING, TASK_DONE } state;
	u64 runtime;
	struct task *next;
};

struct stats {
	u64 calls;
	u32 histogram[8];
	struct {
		u16 min, max;
	} range;
};

static struct task tasks[3] = {
	{ "idle", 0, TASK_RUNNING, 0, &tasks[1] },
	{ "shell", 1, TASK_READY, 0, &tasks[2] },
	{ "logger", 2, TASK_READY, 0, NULL },
};
struct task *current = &tasks[0];
struct stats stats = { .range = { 0xFFFF, 0 } };
const char banner[] = "KStack example C kernel";
u64 fib_cache[16];

void exit_qemu(u32 code)
{
	puts("KSTACK-TEST-END code=");
	put_hex(code);
	puts("\n");
	outl(0xF4, code);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void record(u32 value)
{
	stats.calls++;
	stats.histogram[value & 7]++;
	if (value < stats.range.min)
		stats.range.min = (u16)value;
	if (value > stats.range.max)
		stats.range.max = (u16)value;
}

/* Recursive and without a frame pointer: the debugger walks it with CFI alone. */
__attribute__((noinline)) static u64 fib(u32 n)
{
	u64 r;

	if (n < 2)
		return n;
	if (n < 16 && fib_cache[n])
		return fib_cache[n];
	r = fib(n - 1) + fib(n - 2);
	if (n < 16)
		fib_cache[n] = r;
	record((u32)r);
	return r;
}

__attribute__((noinline)) static void schedule(void)
{
	struct task *t = current;

	t->state = TASK_READY;
	t->runtime += ticks;
	current = t->next ? t->next : &tasks[0];
	current->state = TASK_RUNNING;
}

__attribute__((noinline)) static u64 touch_unmapped(volatile u64 *p, u64 value)
{
	*p = value; /* 8 MiB: not present until the #PF handler maps it */
	return *p + 1;
}

void kmain(void)
{
	u64 result;

	serial_init();
	puts("\nKSTACK-TEST-BEGIN c-kernel\n");
	puts(banner);
	puts("\n");

	interrupts_init();
	__asm__ volatile("sti");
	while (ticks < 3)
		__asm__ volatile("hlt");
	__asm__ volatile("cli");
	puts("timer: 3 ticks\n");

	__asm__ volatile("mov $0x1234, %%rbx; int3" : : : "rbx", "memory");

	result = touch_unmapped((volatile u64 *)0x800000, 41);
	puts("after #PF: ");
	put_dec(result);
	puts("\n");

	for (int i = 0; i < 4; i++)
		schedule();
	puts("current task: ");
	puts(current->name);
	puts("\n");

	result = fib(20);
	puts("fib(20) = ");
	put_dec(result);
	puts(", calls recorded: ");
	put_dec(stats.calls);
	puts("\n");

	exit_qemu(interrupt_counts[VEC_BREAKPOINT] == 1 && interrupt_counts[VEC_PAGE_FAULT] == 1 ? 0 : 0x10);
}
