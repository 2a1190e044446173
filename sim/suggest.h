/*
 * suggest.h -- "did you mean" for error messages: the closest of a list of
 * known names to a word the user wrote.  Used for unit suffixes
 * (sim/units.c), constructor fields and enum values (sim/lsim.c), and
 * sweep variables (sim/sweep.c).
 *
 * DISTANCE.  The optimal-string-alignment variant of Damerau-Levenshtein:
 * inserting, deleting or substituting one byte, or swapping two adjacent
 * bytes, each costs 1, and no substring is edited twice (so "ca" -> "abc"
 * is 3, not 2 as unrestricted Damerau-Levenshtein would have it).  Bytes
 * are compared exactly: case matters, and a multi-byte UTF-8 character
 * counts as several bytes.  There is no length limit.
 *
 * CHOICE.  In this order, the first rule that matches decides:
 *   1. a candidate equal to the word;
 *   2. a candidate equal to the word ignoring ASCII case ("MS" -> "ms"),
 *      which is the usual mistake with case-sensitive names and beats a
 *      candidate that happens to be fewer edits away ("gbps" -> "Gbps",
 *      not "bps");
 *   3. the candidate with the smallest distance, if that distance is at
 *      most max(1, strlen(word) / 3) ("cpus" -> "cpu", "Gbsp" -> "Gbps");
 *   4. a candidate that begins with the word, if the word has at least 3
 *      bytes ("count" -> "counter"; the metric-kind message relies on it);
 *   5. none: NULL ("zzzz").
 * Within a rule, ties go to the earliest candidate, so the suggestion
 * depends only on the word and the order of the list.  No state; the
 * functions are reentrant.
 */
#ifndef VNETSIM_SIM_SUGGEST_H
#define VNETSIM_SIM_SUGGEST_H 1

#include <stddef.h>

/* The edit distance between the NUL-terminated strings 'a' and 'b'.  Uses
 * O(min(strlen(a), strlen(b))) memory, on the stack for names of up to 63
 * bytes, else allocated; returns SIZE_MAX if that allocation fails. */
size_t suggest_distance(const char *a, const char *b);

/* The candidate to suggest for 'word' among the 'n' strings
 * 'candidates' (NULL entries are skipped), by the rules above, or NULL.
 * Returns one of the 'candidates' pointers, never a copy. */
const char *suggest_closest(const char *word, const char *const *candidates,
                            size_t n);

#endif /* VNETSIM_SIM_SUGGEST_H */
