/*
 * gmem.c -- guest physical memory (gmem.h).
 */
#include "config.h"

#include "models/gmem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/log.h"

struct gmem {
    uint8_t *bytes;
    uint64_t size;
    uint64_t next;                  /* bump allocator */
};

int
gmem_create(uint64_t size, struct gmem **out)
{
    struct gmem *m;

    *out = NULL;
    if (size < GMEM_PAGE_SIZE || size % GMEM_PAGE_SIZE || size > (1ull << 40)) {
        return EINVAL;
    }
    m = calloc(1, sizeof *m);
    if (!m || !(m->bytes = calloc(1, (size_t)size))) {
        free(m);
        return ENOMEM;
    }
    m->size = size;
    m->next = GMEM_PAGE_SIZE;
    *out = m;
    return 0;
}

void
gmem_destroy(struct gmem *m)
{
    if (m) {
        free(m->bytes);
        free(m);
    }
}

uint64_t
gmem_size(const struct gmem *m)
{
    return m->size;
}

uint64_t
gmem_alloc(struct gmem *m, uint64_t size)
{
    uint64_t pages, bytes;

    if (size > m->size) {
        return 0;               /* also keeps the rounding below from wrapping */
    }
    pages = (size + GMEM_PAGE_SIZE - 1) / GMEM_PAGE_SIZE;
    bytes = (pages ? pages : 1) * GMEM_PAGE_SIZE;
    if (bytes > m->size - m->next) {
        return 0;
    }
    uint64_t gpa = m->next;
    m->next += bytes;
    return gpa;
}

static void
check(const struct gmem *m, uint64_t gpa, size_t len)
{
    SIM_ASSERT(gpa <= m->size && len <= m->size - gpa);
}

void
gmem_read(const struct gmem *m, uint64_t gpa, void *dst, size_t len)
{
    check(m, gpa, len);
    memcpy(dst, m->bytes + gpa, len);
}

void
gmem_write(struct gmem *m, uint64_t gpa, const void *src, size_t len)
{
    check(m, gpa, len);
    memcpy(m->bytes + gpa, src, len);
}

uint32_t
gmem_read32(const struct gmem *m, uint64_t gpa)
{
    uint8_t b[4];
    gmem_read(m, gpa, b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16
           | (uint32_t)b[3] << 24;
}

void
gmem_write32(struct gmem *m, uint64_t gpa, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                     (uint8_t)(v >> 24) };
    gmem_write(m, gpa, b, 4);
}

uint8_t *
gmem_ptr(struct gmem *m, uint64_t gpa, size_t len)
{
    check(m, gpa, len);
    return m->bytes + gpa;
}
