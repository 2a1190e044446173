/*
 * gmem.h -- a virtual machine's guest physical memory: a flat array of
 * bytes addressed by guest physical address (GPA), which guest drivers
 * fill with descriptors and buffers and which devices and the root
 * partition read and write (the legacy NIC's DMA, the synthetic NIC's
 * send and receive buffers and page lists).
 *
 * Regions are handed out by a bump allocator at page granularity
 * (gmem_alloc), in call order, so addresses are deterministic.  Every
 * access is bounds-checked: an access outside the memory is a model bug
 * and asserts.  The bytes are real: a frame copied into guest memory and
 * back is the same frame.
 */
#ifndef VNETSIM_MODELS_GMEM_H
#define VNETSIM_MODELS_GMEM_H 1

#include <stddef.h>
#include <stdint.h>

#define GMEM_PAGE_SIZE 4096u

struct gmem;

/* Creates a memory of 'size' bytes (a multiple of GMEM_PAGE_SIZE, at
 * least one page), zeroed.  GPA 0 .. size-1; the first page is never
 * handed out, so GPA 0 can mean "none".  Returns 0, EINVAL or ENOMEM. */
int gmem_create(uint64_t size, struct gmem **out);
void gmem_destroy(struct gmem *m);              /* accepts NULL */

uint64_t gmem_size(const struct gmem *m);

/* Reserves 'size' bytes (rounded up to whole pages) and returns their
 * GPA, page-aligned; 0 if the memory is exhausted. */
uint64_t gmem_alloc(struct gmem *m, uint64_t size);

/* Copies 'len' bytes from 'gpa' to 'dst' / from 'src' to 'gpa'.  The
 * range must lie inside the memory (asserted). */
void gmem_read(const struct gmem *m, uint64_t gpa, void *dst, size_t len);
void gmem_write(struct gmem *m, uint64_t gpa, const void *src, size_t len);

/* Little-endian 32-bit accessors (descriptor words). */
uint32_t gmem_read32(const struct gmem *m, uint64_t gpa);
void gmem_write32(struct gmem *m, uint64_t gpa, uint32_t value);

/* A pointer to 'len' bytes at 'gpa' (asserted inside), for code that
 * maps guest memory rather than copying it (the root's view of a shared
 * buffer). */
uint8_t *gmem_ptr(struct gmem *m, uint64_t gpa, size_t len);

#endif /* VNETSIM_MODELS_GMEM_H */
