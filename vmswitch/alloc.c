/*
 * alloc.c -- libvmswitch's pluggable allocator and its failure countdown
 * (see alloc.h).
 */
#include <config.h>
#include "vmswitch/alloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void *libc_malloc(size_t size, void *aux) { (void)aux; return malloc(size); }
static void *libc_realloc(void *p, size_t size, void *aux) { (void)aux; return realloc(p, size); }
static void libc_free(void *p, void *aux) { (void)aux; free(p); }

static struct vsw_allocator allocator = {
    libc_malloc, libc_realloc, libc_free, NULL
};

/* Failure injection state: when 'armed', 'remaining' successful
 * allocations are left before every allocation fails.  Arm it only while
 * no other thread allocates (tests are single-threaded when they do). */
static bool armed;
static uint64_t remaining;
static uint64_t attempts;

void
vsw_set_allocator(const struct vsw_allocator *a)
{
    static const struct vsw_allocator libc = {
        libc_malloc, libc_realloc, libc_free, NULL
    };
    allocator = a ? *a : libc;
}

/* Counts an attempt and says whether it must fail. */
static bool
must_fail(void)
{
    /* Counting only while armed keeps the unarmed path free of shared
     * writes, so data-path threads may allocate concurrently. */
    if (!armed) {
        return false;
    }
    attempts++;
    if (remaining == 0) {
        return true;
    }
    remaining--;
    return false;
}

void *
vsw_malloc(size_t size)
{
    return must_fail() ? NULL : allocator.malloc_fn(size ? size : 1,
                                                    allocator.aux);
}

void *
vsw_calloc(size_t n, size_t size)
{
    void *p;

    if (size && n > SIZE_MAX / size) {
        return NULL;
    }
    p = vsw_malloc(n * size);
    if (p) {
        memset(p, 0, n * size);
    }
    return p;
}

void *
vsw_realloc(void *ptr, size_t size)
{
    return must_fail() ? NULL : allocator.realloc_fn(ptr, size ? size : 1,
                                                     allocator.aux);
}

void
vsw_free(void *ptr)
{
    if (ptr) {
        allocator.free_fn(ptr, allocator.aux);
    }
}

void
vsw_alloc_fail_after(uint64_t n)
{
    armed = true;
    remaining = n;
    attempts = 0;
}

void
vsw_alloc_fail_reset(void)
{
    armed = false;
    remaining = 0;
    attempts = 0;
}

uint64_t
vsw_alloc_count(void)
{
    return attempts;
}
