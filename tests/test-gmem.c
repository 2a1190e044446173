/*
 * test-gmem.c -- models/gmem.h: creation limits, the page-granular bump
 * allocator (deterministic, page-aligned, page 0 never handed out, 0 on
 * exhaustion), little-endian 32-bit accessors, byte round trips, the
 * mapped pointer, and the bounds check (which asserts: tested in a child
 * process).
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/gmem.h"
#include "tests/cutest.h"

#define PG GMEM_PAGE_SIZE

static void
test_create_refuses_sizes_not_whole_pages_or_too_large(void)
{
    static const uint64_t bad[] = { 0, 1, PG - 1, PG + 1, 3 * PG / 2,
                                    (UINT64_C(1) << 40) + PG };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct gmem *m = (struct gmem *)&m;    /* not NULL */
        CU_ASSERT_EQUAL(gmem_create(bad[i], &m), EINVAL);
        CU_ASSERT_PTR_NULL(m);
    }
}

static void
test_create_gives_zeroed_memory_of_that_size(void)
{
    struct gmem *m = NULL;
    uint8_t buf[3 * PG];
    static const uint8_t zero[3 * PG];

    CU_ASSERT_FATAL(gmem_create(3 * PG, &m) == 0);
    CU_ASSERT_EQUAL(gmem_size(m), 3 * PG);
    memset(buf, 0xAA, sizeof buf);
    gmem_read(m, 0, buf, sizeof buf);
    CU_ASSERT_EQUAL(memcmp(buf, zero, sizeof buf), 0);
    gmem_destroy(m);
}

static void
test_alloc_is_page_aligned_in_call_order_and_deterministic(void)
{
    static const uint64_t sizes[] = { 1, PG, PG + 1, 0, 10000 };
    static const uint64_t want[] = { PG, 2 * PG, 3 * PG, 5 * PG, 6 * PG };
    struct gmem *a = NULL, *b = NULL;

    CU_ASSERT_FATAL(gmem_create(64 * PG, &a) == 0);
    CU_ASSERT_FATAL(gmem_create(64 * PG, &b) == 0);
    for (size_t i = 0; i < 5; i++) {
        uint64_t ga = gmem_alloc(a, sizes[i]);
        uint64_t gb = gmem_alloc(b, sizes[i]);
        CU_ASSERT_EQUAL(ga, want[i]);
        CU_ASSERT_EQUAL(gb, ga);
        CU_ASSERT_EQUAL(ga % PG, 0);
    }
    /* 10000 bytes took three pages: the next region starts at page 9. */
    CU_ASSERT_EQUAL(gmem_alloc(a, 1), 9 * PG);
    gmem_destroy(a);
    gmem_destroy(b);
}

static void
test_alloc_never_hands_out_page_zero(void)
{
    struct gmem *m = NULL;

    CU_ASSERT_FATAL(gmem_create(2 * PG, &m) == 0);
    CU_ASSERT_EQUAL(gmem_alloc(m, PG), PG);
    CU_ASSERT_EQUAL(gmem_alloc(m, 1), 0);       /* only page 0 is left */
    gmem_destroy(m);

    CU_ASSERT_FATAL(gmem_create(PG, &m) == 0);  /* one page: nothing */
    CU_ASSERT_EQUAL(gmem_alloc(m, 1), 0);
    gmem_destroy(m);
}

static void
test_alloc_exhaustion_returns_zero_and_keeps_what_is_left(void)
{
    struct gmem *m = NULL;

    CU_ASSERT_FATAL(gmem_create(4 * PG, &m) == 0);  /* 3 allocatable */
    CU_ASSERT_EQUAL(gmem_alloc(m, 4 * PG), 0);
    CU_ASSERT_EQUAL(gmem_alloc(m, 2 * PG), PG);
    CU_ASSERT_EQUAL(gmem_alloc(m, PG + 1), 0);      /* needs 2, 1 left */
    CU_ASSERT_EQUAL(gmem_alloc(m, PG), 3 * PG);
    CU_ASSERT_EQUAL(gmem_alloc(m, 1), 0);
    CU_ASSERT_EQUAL(gmem_alloc(m, UINT64_MAX - PG), 0);
    gmem_destroy(m);
    /* A size whose rounding up to pages would wrap is refused, not
     * turned into one page. */
    CU_ASSERT_FATAL(gmem_create(4 * PG, &m) == 0);
    CU_ASSERT_EQUAL(gmem_alloc(m, UINT64_MAX - 100), 0);
    CU_ASSERT_EQUAL(gmem_alloc(m, UINT64_MAX), 0);
    CU_ASSERT_EQUAL(gmem_alloc(m, PG), PG);
    gmem_destroy(m);
}

static void
test_accessors_32_bit_are_little_endian(void)
{
    struct gmem *m = NULL;
    uint8_t b[4];
    static const uint8_t raw[4] = { 0xEF, 0xBE, 0xAD, 0xDE };

    CU_ASSERT_FATAL(gmem_create(2 * PG, &m) == 0);
    gmem_write32(m, 0x1002, 0x11223344u);        /* unaligned GPA too */
    gmem_read(m, 0x1002, b, 4);
    CU_ASSERT_EQUAL(b[0], 0x44);
    CU_ASSERT_EQUAL(b[1], 0x33);
    CU_ASSERT_EQUAL(b[2], 0x22);
    CU_ASSERT_EQUAL(b[3], 0x11);
    gmem_write(m, 0x2000 - 4, raw, 4);            /* the last word */
    CU_ASSERT_EQUAL(gmem_read32(m, 0x2000 - 4), 0xDEADBEEFu);
    gmem_destroy(m);
}

static void
test_read_write_round_trip_across_pages_and_ptr_aliases(void)
{
    struct gmem *m = NULL;
    uint8_t src[1000], dst[1000];

    CU_ASSERT_FATAL(gmem_create(4 * PG, &m) == 0);
    for (size_t i = 0; i < sizeof src; i++) {
        src[i] = (uint8_t)(i * 7 + 3);
    }
    uint64_t gpa = 2 * PG - 300;                  /* crosses a page */
    gmem_write(m, gpa, src, sizeof src);
    gmem_read(m, gpa, dst, sizeof dst);
    CU_ASSERT_EQUAL(memcmp(src, dst, sizeof src), 0);

    uint8_t *p = gmem_ptr(m, gpa, sizeof src);
    CU_ASSERT_EQUAL(memcmp(p, src, sizeof src), 0);
    p[10] = 0x5A;
    CU_ASSERT_EQUAL(gmem_read32(m, gpa + 10) & 0xFF, 0x5A);
    /* Neighbours are untouched. */
    gmem_read(m, gpa - 1, dst, 1);
    CU_ASSERT_EQUAL(dst[0], 0);
    gmem_read(m, gpa + sizeof src, dst, 1);
    CU_ASSERT_EQUAL(dst[0], 0);
    gmem_destroy(m);
}

static void
test_edges_of_memory_are_accessible(void)
{
    struct gmem *m = NULL;
    uint8_t b = 0x77, r = 0;

    CU_ASSERT_FATAL(gmem_create(PG, &m) == 0);
    gmem_write(m, PG - 1, &b, 1);
    gmem_read(m, PG - 1, &r, 1);
    CU_ASSERT_EQUAL(r, 0x77);
    gmem_read(m, PG, &r, 0);                      /* empty, at the end */
    gmem_write(m, 0, &b, 1);
    gmem_read(m, 0, &r, 1);
    CU_ASSERT_EQUAL(r, 0x77);
    gmem_destroy(m);
}

/* Runs 'fn' in a child process with stderr silenced; true if the child
 * died of SIGABRT (SIM_ASSERT). */
static bool
aborts(void (*fn)(struct gmem *))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        struct gmem *m = NULL;
        if (!freopen("/dev/null", "w", stderr) || gmem_create(PG, &m)) {
            _exit(2);
        }
        fn(m);
        _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        return false;
    }
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void
read_past_end(struct gmem *m)
{
    uint8_t b[4];
    gmem_read(m, PG - 2, b, 4);
}

static void
write_past_end(struct gmem *m)
{
    gmem_write32(m, PG, 1);
}

static void
ptr_at_huge_gpa(struct gmem *m)
{
    (void)gmem_ptr(m, UINT64_MAX - 1, 4);
}

static void
read_inside(struct gmem *m)
{
    uint8_t b[4];
    gmem_read(m, PG - 4, b, 4);
}

static void
test_access_outside_memory_asserts(void)
{
    CU_ASSERT_TRUE(aborts(read_past_end));
    CU_ASSERT_TRUE(aborts(write_past_end));
    CU_ASSERT_TRUE(aborts(ptr_at_huge_gpa));
    CU_ASSERT_FALSE(aborts(read_inside));         /* the control */
}

static void
test_destroy_accepts_null(void)
{
    gmem_destroy(NULL);
    CU_PASS("no crash");
}

static const struct cutest_case gmem_cases[] = {
    CUTEST(test_create_refuses_sizes_not_whole_pages_or_too_large),
    CUTEST(test_create_gives_zeroed_memory_of_that_size),
    CUTEST(test_alloc_is_page_aligned_in_call_order_and_deterministic),
    CUTEST(test_alloc_never_hands_out_page_zero),
    CUTEST(test_alloc_exhaustion_returns_zero_and_keeps_what_is_left),
    CUTEST(test_accessors_32_bit_are_little_endian),
    CUTEST(test_read_write_round_trip_across_pages_and_ptr_aliases),
    CUTEST(test_edges_of_memory_are_accessible),
    CUTEST(test_access_outside_memory_asserts),
    CUTEST(test_destroy_accepts_null),
    CUTEST_END
};

CUTEST_MAIN({ "gmem", gmem_cases })
