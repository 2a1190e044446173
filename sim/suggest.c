/*
 * suggest.c -- the edit distance and closest-candidate search declared in
 * suggest.h.  Three rolling rows of the dynamic-programming table suffice
 * for the transposition rule, so any lengths work in O(len(b)) memory.
 */
#include <config.h>
#include "sim/suggest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static size_t
min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

size_t
suggest_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *rows = malloc(3 * (lb + 1) * sizeof *rows);

    if (!rows) {
        return SIZE_MAX;
    }
    size_t *prev2 = rows, *prev = rows + lb + 1, *cur = rows + 2 * (lb + 1);
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
    size_t d = prev[lb];
    free(rows);
    return d;
}

const char *
suggest_closest(const char *word, const char *const *candidates, size_t n)
{
    size_t limit = strlen(word) / 3, best_d = SIZE_MAX;
    const char *best = NULL;

    if (limit < 1) {
        limit = 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!strcasecmp(word, candidates[i]) && strcmp(word, candidates[i])) {
            return candidates[i];
        }
    }
    for (size_t i = 0; i < n; i++) {
        size_t d = suggest_distance(word, candidates[i]);
        if (d <= limit && d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    /* Nothing close: a candidate the word abbreviates ("count" ->
     * "counter"), if the word is long enough to mean something. */
    if (!best && strlen(word) >= 3) {
        for (size_t i = 0; i < n; i++) {
            if (!strncmp(candidates[i], word, strlen(word))) {
                return candidates[i];
            }
        }
    }
    return best;
}
