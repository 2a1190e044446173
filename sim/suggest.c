/*
 * suggest.c -- the edit distance and closest-candidate search declared in
 * suggest.h.  The dynamic-programming table is kept as three rolling rows
 * (the transposition rule looks two rows back), each as long as the
 * shorter string plus one.
 */
#include <config.h>
#include "sim/suggest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Rows of up to this many cells live on the stack. */
#define STACK_CELLS 64

static size_t
min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* ROWS.  Row i holds the distances between the first i bytes of 'a' and
 * every prefix of 'b': cur[j] = d(a[0..i), b[0..j)).  'prev' is row i-1
 * and 'prev2' row i-2, which the transposition of a[i-2..i) against
 * b[j-2..j) reads.  The distance is symmetric, so 'b' is made the shorter
 * string to keep the rows short. */
size_t
suggest_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t stack_rows[3 * STACK_CELLS];
    size_t *rows = stack_rows, *prev2, *prev, *cur, d;

    if (lb > la) {
        const char *t = a;
        size_t tl = la;
        a = b;
        b = t;
        la = lb;
        lb = tl;
    }
    if (lb + 1 > STACK_CELLS) {
        rows = malloc(3 * (lb + 1) * sizeof *rows);
        if (!rows) {
            return SIZE_MAX;
        }
    }
    prev2 = rows;
    prev = rows + (lb + 1);
    cur = rows + 2 * (lb + 1);
    for (size_t j = 0; j <= lb; j++) {
        prev[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2]
                && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < cur[j]) {
                cur[j] = prev2[j - 2] + 1;
            }
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    d = prev[lb];
    if (rows != stack_rows) {
        free(rows);
    }
    return d;
}

const char *
suggest_closest(const char *word, const char *const *candidates, size_t n)
{
    size_t len = strlen(word);
    size_t limit = len / 3 > 1 ? len / 3 : 1, best_d = SIZE_MAX;
    const char *best = NULL;

    /* 1 and 2: the word itself, then the word in another case. */
    for (size_t i = 0; i < n; i++) {
        if (candidates[i] && !strcmp(word, candidates[i])) {
            return candidates[i];
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (candidates[i] && !strcasecmp(word, candidates[i])) {
            return candidates[i];
        }
    }
    /* 3: the nearest within the limit, the earliest on a tie. */
    for (size_t i = 0; i < n; i++) {
        size_t d;
        if (!candidates[i]) {
            continue;
        }
        d = suggest_distance(word, candidates[i]);
        if (d <= limit && d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    if (best) {
        return best;
    }
    /* 4: a name the word abbreviates, if the word is long enough to mean
     * something. */
    if (len >= 3) {
        for (size_t i = 0; i < n; i++) {
            if (candidates[i] && !strncmp(candidates[i], word, len)) {
                return candidates[i];
            }
        }
    }
    return NULL;
}
