/*
 * runid.c -- run identities read from a results database (runid.h).
 *
 * One query lists the runs with their identifying attributes; two more per
 * run read its runConfig rows and its sim.duration parameter, which make
 * the settings text.  Strings are copied out of SQLite at once.
 */
#include <config.h>
#include "sim/runid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
dup_col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return strdup(t ? (const char *)t : "");
}

static void
runid_free(struct runid *r)
{
    free(r->name);
    free(r->status);
    free(r->config);
    free(r->sha);
    free(r->runnumber);
    free(r->seed);
    free(r->itervars);
    free(r->fingerprint);
    free(r->settings);
    memset(r, 0, sizeof *r);
}

void
runid_list_free(struct runid_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        runid_free(&list->runs[i]);
    }
    free(list->runs);
    memset(list, 0, sizeof *list);
}

void
runid_list_remove(struct runid_list *list, size_t i)
{
    runid_free(&list->runs[i]);
    memmove(&list->runs[i], &list->runs[i + 1],
            (list->n - i - 1) * sizeof *list->runs);
    list->n--;
}

/* Makes room for one more run; returns a zeroed slot or NULL. */
static struct runid *
list_slot(struct runid_list *list)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? 2 * list->cap : 64;
        struct runid *r = realloc(list->runs, cap * sizeof *r);
        if (!r) {
            return NULL;
        }
        list->runs = r;
        list->cap = cap;
    }
    memset(&list->runs[list->n], 0, sizeof *list->runs);
    return &list->runs[list->n];
}

int
runid_list_add(struct runid_list *list, const struct runid *r)
{
    struct runid *c = list_slot(list);

    if (!c) {
        return ENOMEM;
    }
    c->id = r->id;
    c->origin = r->origin;
    c->name = strdup(r->name);
    c->status = strdup(r->status);
    c->config = strdup(r->config);
    c->sha = strdup(r->sha);
    c->runnumber = strdup(r->runnumber);
    c->seed = strdup(r->seed);
    c->itervars = strdup(r->itervars);
    c->fingerprint = strdup(r->fingerprint);
    c->settings = strdup(r->settings);
    if (!c->name || !c->status || !c->config || !c->sha || !c->runnumber
        || !c->seed || !c->itervars || !c->fingerprint || !c->settings) {
        runid_free(c);
        return ENOMEM;
    }
    list->n++;
    return 0;
}

int
runid_settings_add(char **text, const char *name, const char *value)
{
    size_t old = *text ? strlen(*text) : 0;
    size_t add = strlen(name) + strlen(value) + 2;
    char *t = realloc(*text, old + add + 1);

    if (!t) {
        return ENOMEM;
    }
    snprintf(t + old, add + 1, "%s=%s\n", name, value);
    *text = t;
    return 0;
}

/* Reads the settings text of run 'r' (see runid.h). */
static int
load_settings(sqlite3 *db, const char *schema, struct runid *r)
{
    char *sql[2];
    int rc = SQLITE_OK;
    char *text = NULL;

    sql[0] = sqlite3_mprintf("SELECT configKey, configValue FROM \"%w\"."
                             "runConfig WHERE runId = ?1 ORDER BY configOrder,"
                             " rowid", schema);
    sql[1] = sqlite3_mprintf("SELECT 'sim.duration', paramValue FROM \"%w\"."
                             "parameter WHERE runId = ?1 AND moduleName ="
                             " 'sim' AND paramName = 'duration' ORDER BY"
                             " paramId LIMIT 1", schema);
    for (int q = 0; q < 2 && rc == SQLITE_OK; q++) {
        sqlite3_stmt *st = NULL;
        rc = sql[q] ? sqlite3_prepare_v2(db, sql[q], -1, &st, NULL)
                    : SQLITE_NOMEM;
        if (rc != SQLITE_OK) {
            break;
        }
        sqlite3_bind_int64(st, 1, r->id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            const unsigned char *k = sqlite3_column_text(st, 0);
            const unsigned char *v = sqlite3_column_text(st, 1);
            if (runid_settings_add(&text, k ? (const char *)k : "",
                                   v ? (const char *)v : "")) {
                rc = SQLITE_NOMEM;
                break;
            }
        }
        sqlite3_finalize(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_free(sql[0]);
    sqlite3_free(sql[1]);
    if (rc == SQLITE_OK && !text) {
        text = strdup("");
        rc = text ? SQLITE_OK : SQLITE_NOMEM;
    }
    if (rc != SQLITE_OK) {
        free(text);
        return rc;
    }
    r->settings = text;
    return SQLITE_OK;
}

int
runid_load(sqlite3 *db, const char *schema, struct runid_list *list,
           char *err, size_t err_size)
{
#define ATTR(name) "(SELECT attrValue FROM \"%w\".runAttr a WHERE a.runId" \
                   " = r.runId AND a.attrName = '" name "' ORDER BY a.rowid" \
                   " LIMIT 1)"
    char *sql = sqlite3_mprintf(
        "SELECT r.runId, r.runName, " ATTR("status") ", " ATTR("configname")
        ", " ATTR("scenarioSha256") ", " ATTR("runnumber") ", " ATTR("seed")
        ", " ATTR("iterationvars") ", " ATTR("fingerprint")
        " FROM \"%w\".run r ORDER BY r.runId", schema, schema, schema,
        schema, schema, schema, schema, schema);
#undef ATTR
    sqlite3_stmt *st = NULL;
    int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &st, NULL) : SQLITE_NOMEM;

    sqlite3_free(sql);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct runid *r = list_slot(list);
        if (!r) {
            rc = SQLITE_NOMEM;
            break;
        }
        r->id = sqlite3_column_int64(st, 0);
        r->name = dup_col(st, 1);
        r->status = dup_col(st, 2);
        r->config = dup_col(st, 3);
        r->sha = dup_col(st, 4);
        r->runnumber = dup_col(st, 5);
        r->seed = dup_col(st, 6);
        r->itervars = dup_col(st, 7);
        r->fingerprint = dup_col(st, 8);
        if (!r->name || !r->status || !r->config || !r->sha || !r->runnumber
            || !r->seed || !r->itervars || !r->fingerprint) {
            runid_free(r);
            rc = SQLITE_NOMEM;
            break;
        }
        rc = load_settings(db, schema, r);
        if (rc != SQLITE_OK) {
            runid_free(r);
            break;
        }
        list->n++;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, err_size, "reading the runs: %s", rc == SQLITE_NOMEM
                 ? "out of memory" : sqlite3_errmsg(db));
        return rc == SQLITE_NOMEM ? ENOMEM : EIO;
    }
    return 0;
}

bool
runid_complete(const struct runid *r)
{
    return !strcmp(r->status, "complete");
}

bool
runid_same_base(const struct runid *a, const struct runid *b)
{
    return !strcmp(a->config, b->config) && !strcmp(a->sha, b->sha)
        && !strcmp(a->runnumber, b->runnumber) && !strcmp(a->seed, b->seed)
        && !strcmp(a->itervars, b->itervars);
}

bool
runid_same_run(const struct runid *a, const struct runid *b)
{
    return runid_same_base(a, b) && !strcmp(a->settings, b->settings);
}
