/* Allocation failure injector (LD_PRELOAD) for the out-of-memory tests: once a program calls
 * failmalloc_set(1), every malloc-family call fails with ENOMEM until failmalloc_set(0).
 * Allocations go to glibc's own allocator through its __libc_* entry points (dlsym would
 * itself allocate while malloc is being resolved). */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static int failing;

void failmalloc_set(int on)
{
	__atomic_store_n(&failing, on, __ATOMIC_SEQ_CST);
}

static int fail(void)
{
	if (!__atomic_load_n(&failing, __ATOMIC_SEQ_CST))
		return 0;
	errno = ENOMEM;
	return 1;
}

void *malloc(size_t n)
{
	return fail() ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	return fail() ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	return fail() ? NULL : __libc_realloc(p, n);
}

void *memalign(size_t align, size_t n)
{
	return fail() ? NULL : __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;
	if (fail())
		return ENOMEM;
	p = __libc_memalign(align, n);
	if (p == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
	return fail() ? NULL : __libc_memalign(align, n);
}

void free(void *p)
{
	__libc_free(p);
}
