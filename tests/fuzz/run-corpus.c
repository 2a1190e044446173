/*
 * run-corpus.c -- replays the seed corpus of a vmswitch fuzz target
 * (fuzz-vsw-parse.c, or the one named by CORPUS_NAME) once, as a plain
 * program, so 'make check'
 * exercises the target without libFuzzer.  The corpus directory is
 * $top_srcdir/tests/fuzz/corpus/CORPUS_NAME (top_srcdir is exported by the
 * test environment, see Makefile.am), or the first argument.  Files run in
 * name order.  Exit status: 0 after every file ran (a broken invariant
 * aborts instead), 77 when there is no corpus, 99 on an I/O error.
 */
#include <config.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CORPUS_MAX_INPUT (1u << 20)

/* The corpus subdirectory; one driver binary is built per fuzz target. */
#ifndef CORPUS_NAME
#define CORPUS_NAME "vsw-parse"
#endif

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Runs the target on file 'path'; returns 0 or 99. */
static int
run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    size_t n;

    if (!f) {
        perror(path);
        return 99;
    }
    buf = malloc(CORPUS_MAX_INPUT);
    if (!buf) {
        fclose(f);
        return 99;
    }
    n = fread(buf, 1, CORPUS_MAX_INPUT, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

int
main(int argc, char *argv[])
{
    char dir[4096];
    const char *top = getenv("top_srcdir");
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    DIR *d;
    int status = 0;

    if (argc > 1) {
        snprintf(dir, sizeof dir, "%s", argv[1]);
    } else {
        snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/" CORPUS_NAME,
                 top ? top : ".");
    }
    d = opendir(dir);
    if (!d) {
        fprintf(stderr, "SKIP: no corpus at %s\n", dir);
        return 77;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (n == cap) {
            char **nn;
            cap = cap ? cap * 2 : 64;
            nn = realloc(names, cap * sizeof *names);
            if (!nn) {
                closedir(d);
                return 99;
            }
            names = nn;
        }
        names[n] = strdup(e->d_name);
        if (!names[n]) {
            closedir(d);
            return 99;
        }
        n++;
    }
    closedir(d);
    if (n) {
        qsort(names, n, sizeof *names, cmp_names);
    }
    for (size_t i = 0; i < n; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (!status) {
            status = run_file(path);
        }
        free(names[i]);
    }
    free(names);
    printf("ran %zu corpus files from %s\n", n, dir);
    return status;
}
