/*
 * fuzz-compare.c -- a libFuzzer target over the results reader of
 * "vnetsim compare" (sim/compare.c): the whole command, reading two
 * databases the input makes, pairing their runs and printing its table.
 *
 * INPUT, either
 *   - an SQLite database file (it starts with "SQLite format 3"), written
 *     to a temporary file and compared with itself; or
 *   - SQL text: the part before a line "-- new" builds the base database
 *     and the part after it the new one (without that line, both are the
 *     same text), each in a fresh temporary file.  The SQL runs under an
 *     authorizer that allows only creating, filling and reading tables and
 *     indexes of the main database (no view, whose recursive query could
 *     make compare's reads endless; no ATTACH, VACUUM INTO, PRAGMA or
 *     extension: nothing outside the temporary file), with a progress handler that
 *     stops it after FUZZ_SQL_STEPS virtual machine steps and a cap on
 *     lengths, so no input runs for long.  Statements that fail are
 *     skipped, as the sqlite3 shell does.
 * The output formats rotate with the input's length (text, csv, json),
 * and every second input compares with --all.
 *
 * INVARIANTS: no memory error, leak or undefined behaviour (the
 * sanitizers check); the exit status is 0, 1 or 2 (diff(1)'s).
 *
 * The databases live in $TMPDIR (else /dev/shm, else /tmp) under names
 * with the process id, and are removed after each input.  Built by 'make fuzz' /
 * 'make fuzz-smoke' with libFuzzer; also linked into
 * tests/fuzz/run-corpus-compare, which replays the seed corpus under
 * 'make check'.
 */
#include <config.h>
#include "sim/cli.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sqlite3.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SQL_STEPS 200000       /* progress handler calls x 100 */
#define FUZZ_MAX_LENGTH 100000      /* longest string or blob */

static const char new_marker[] = "\n-- new\n";

/* Allows what builds and reads a results database, nothing else. */
static int
authorize(void *arg, int action, const char *a, const char *b,
          const char *db, const char *trigger)
{
    (void)arg;
    (void)a;
    (void)b;
    (void)trigger;
    if (db && strcmp(db, "main") && strcmp(db, "temp")) {
        return SQLITE_DENY;
    }
    switch (action) {
    case SQLITE_CREATE_INDEX:
    case SQLITE_CREATE_TABLE:
    case SQLITE_DELETE:
    case SQLITE_DROP_TABLE:
    case SQLITE_INSERT:
    case SQLITE_READ:
    case SQLITE_SELECT:
    case SQLITE_TRANSACTION:
    case SQLITE_UPDATE:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
    case SQLITE_SAVEPOINT:
        return SQLITE_OK;
    default:
        return SQLITE_DENY;
    }
}

static int
progress(void *arg)
{
    int *steps = arg;

    return ++*steps > FUZZ_SQL_STEPS / 100;
}

/* Builds database 'path' from the SQL 'sql' of 'len' bytes.  Returns 0, or
 * -1 if the database cannot even be created. */
static int
build_db(const char *path, const char *sql, size_t len)
{
    char *text = malloc(len + 1);
    const char *tail;
    sqlite3 *db;
    int steps = 0;

    if (!text) {
        return -1;
    }
    memcpy(text, sql, len);
    text[len] = '\0';
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        sqlite3_close(db);
        free(text);
        return -1;
    }
    /* Speed, not durability: the file lives for one input. */
    sqlite3_exec(db, "PRAGMA synchronous=OFF; PRAGMA journal_mode=OFF",
                 NULL, NULL, NULL);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, FUZZ_MAX_LENGTH);
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    sqlite3_set_authorizer(db, authorize, NULL);
    sqlite3_progress_handler(db, 100, progress, &steps);
    for (const char *s = text; *s && steps <= FUZZ_SQL_STEPS / 100; s = tail) {
        sqlite3_stmt *st = NULL;

        if (sqlite3_prepare_v2(db, s, -1, &st, &tail) != SQLITE_OK) {
            /* Skip to the next statement, if the parser said where. */
            const char *semi = strchr(s, ';');
            sqlite3_finalize(st);
            if (!semi) {
                break;
            }
            tail = semi + 1;
            continue;
        }
        while (st && sqlite3_step(st) == SQLITE_ROW) {
        }
        sqlite3_finalize(st);
        if (tail == s) {
            break;
        }
    }
    sqlite3_close(db);
    free(text);
    return 0;
}

static int
write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");

    if (!f) {
        return -1;
    }
    if (size && fwrite(data, 1, size, f) != size) {
        fclose(f);
        return -1;
    }
    return fclose(f) ? -1 : 0;
}

/* Removes database 'path' and its journal. */
static void
remove_db(const char *path)
{
    char j[4200];

    unlink(path);
    snprintf(j, sizeof j, "%s-journal", path);
    unlink(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char magic[] = "SQLite format 3";
    static const char *const formats[] = { "text", "csv", "json" };
    const char *tmp = getenv("TMPDIR");
    char base[4096], neu[4096];
    struct stat st;
    char *argv[8];
    int argc = 0, rc, out, saved;

    if (!tmp || !*tmp) {
        tmp = !stat("/dev/shm", &st) && S_ISDIR(st.st_mode) ? "/dev/shm"
                                                             : "/tmp";
    }
    snprintf(base, sizeof base, "%s/vnetsim-fuzz-compare-%ld-base.db", tmp,
             (long)getpid());
    snprintf(neu, sizeof neu, "%s/vnetsim-fuzz-compare-%ld-new.db", tmp,
             (long)getpid());
    remove_db(base);
    remove_db(neu);
    if (size >= sizeof magic - 1 && !memcmp(data, magic, sizeof magic - 1)) {
        if (write_file(base, data, size)) {
            abort();
        }
        snprintf(neu, sizeof neu, "%s", base);
    } else {
        const char *text = (const char *)data;
        const char *mark = NULL;
        size_t m = sizeof new_marker - 1;

        for (size_t i = 0; i + m <= size; i++) {
            if (!memcmp(data + i, new_marker, m)) {
                mark = text + i;
                break;
            }
        }
        if (build_db(base, text, mark ? (size_t)(mark - text) : size)
            || build_db(neu, mark ? mark + m : text,
                        mark ? size - (size_t)(mark + m - text) : size)) {
            abort();
        }
    }

    argv[argc++] = (char *)"compare";
    argv[argc++] = base;
    argv[argc++] = neu;
    argv[argc++] = (char *)"--format";
    argv[argc++] = (char *)formats[size % 3];
    if (size & 1) {
        argv[argc++] = (char *)"--all";
    }
    argv[argc] = NULL;

    /* The table goes to /dev/null. */
    fflush(stdout);
    saved = dup(STDOUT_FILENO);     /* -1 if libFuzzer closed it */
    out = open("/dev/null", O_WRONLY);
    if (saved >= 0 && out >= 0) {
        dup2(out, STDOUT_FILENO);
    }
    if (out >= 0) {
        close(out);
    }
    optind = 0;                 /* getopt_long starts afresh */
    rc = vnetsim_compare_main(argc, argv);
    fflush(stdout);
    if (saved >= 0) {
        dup2(saved, STDOUT_FILENO);
        close(saved);
    }
    if (rc < 0 || rc > 2) {
        abort();
    }
    remove_db(base);
    remove_db(neu);
    return 0;
}
