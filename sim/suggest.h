/*
 * suggest.h -- "did you mean" for error messages: the closest of a list of
 * known names to a word the user wrote.
 *
 * Distance is the optimal-string-alignment variant of Damerau-Levenshtein
 * (insertions, deletions, substitutions and transpositions of adjacent
 * bytes, each costing 1), case-sensitive.  A candidate is suggested if it
 * is within max(1, strlen(word) / 3) edits, or equal ignoring ASCII case;
 * failing that, a candidate that starts with a word of 3 or more bytes
 * ("count" -> "counter").  Ties go to the earliest candidate, so
 * suggestions are deterministic.
 */
#ifndef VNETSIM_SIM_SUGGEST_H
#define VNETSIM_SIM_SUGGEST_H 1

#include <stddef.h>

/* The edit distance between 'a' and 'b'. */
size_t suggest_distance(const char *a, const char *b);

/* The candidate among 'n' 'candidates' to suggest for 'word', or NULL. */
const char *suggest_closest(const char *word, const char *const *candidates,
                            size_t n);

#endif /* VNETSIM_SIM_SUGGEST_H */
