/* Heap call counter for the divert benchmark (LD_PRELOAD): every malloc-family call goes to
 * glibc's own allocator through its __libc_* entry points (dlsym would itself allocate while
 * malloc is being resolved) and is counted. The loops read the counts through
 * divert_bench_heap_calls(0 = allocations, 1 = frees). */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);
extern void *__libc_pvalloc(size_t);
extern void __libc_free(void *);

static unsigned long allocs, frees;

static void counted(void)
{
	__atomic_fetch_add(&allocs, 1, __ATOMIC_RELAXED);
}

unsigned long divert_bench_heap_calls(int which)
{
	return __atomic_load_n(which ? &frees : &allocs, __ATOMIC_RELAXED);
}

void *malloc(size_t n)
{
	counted();
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	counted();
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	counted();
	return __libc_realloc(p, n);
}

void *memalign(size_t align, size_t n)
{
	counted();
	return __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	counted();
	return __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	counted();
	if (align < sizeof(void *) || (align & (align - 1)) != 0)
		return EINVAL;
	p = __libc_memalign(align, n);
	if (p == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

void *valloc(size_t n)
{
	counted();
	return __libc_valloc(n);
}

void *pvalloc(size_t n)
{
	counted();
	return __libc_pvalloc(n);
}

void free(void *p)
{
	if (p != NULL)
		__atomic_fetch_add(&frees, 1, __ATOMIC_RELAXED);
	__libc_free(p);
}
