/*
 * alloc.h -- the one allocator every part of libvmswitch uses, and the hook
 * that lets tests make any allocation fail.
 *
 * vmswitch never aborts on allocation failure: a control operation that
 * cannot allocate returns ENOMEM and leaves the switch as it was, and the
 * data path drops the frame with a named reason.  To prove it, the library
 * allocates only through vsw_malloc(), vsw_calloc() and vsw_realloc(), and a
 * test can install an allocator that fails on the Nth call (as SQLite's
 * test_malloc.c does): run an operation with N = 1, 2, 3, ... until it
 * succeeds, checking after every failure that the switch is unchanged.
 *
 * The hook is process-wide and not thread-safe to change; install it before
 * starting data-path threads.
 */
#ifndef VMSWITCH_ALLOC_H
#define VMSWITCH_ALLOC_H 1

#include <stddef.h>
#include <stdint.h>

struct vsw_allocator {
    void *(*malloc_fn)(size_t size, void *aux);
    void *(*realloc_fn)(void *ptr, size_t size, void *aux);
    void (*free_fn)(void *ptr, void *aux);
    void *aux;
};

/* Installs 'a' (copied) as the library's allocator; NULL restores the C
 * library's malloc, realloc and free. */
void vsw_set_allocator(const struct vsw_allocator *a);

void *vsw_malloc(size_t size);
void *vsw_calloc(size_t n, size_t size);     /* NULL on overflow too */
void *vsw_realloc(void *ptr, size_t size);
void vsw_free(void *ptr);                    /* accepts NULL */

/* Failure injection for tests: after 'n' more successful allocations, every
 * allocation fails until vsw_alloc_fail_reset().  n = 0 fails the very next
 * one.  vsw_alloc_count() returns how many allocations were attempted since
 * vsw_alloc_fail_after() armed the countdown, so a sweep knows when an operation needed no more. */
void vsw_alloc_fail_after(uint64_t n);
void vsw_alloc_fail_reset(void);
uint64_t vsw_alloc_count(void);

#endif /* VMSWITCH_ALLOC_H */
