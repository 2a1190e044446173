/*
 * log.c -- the logging filter and line formatter declared in log.h.
 *
 * The filter is a default level plus an ordered list of (pattern, level)
 * rules.  A lookup walks the rules from last to first and stops at the first
 * match, so later rules override earlier ones.  Lookups happen only when a
 * message is about to be formatted, so the cost of a disabled debug line is
 * one call and a short loop.
 */
#include <config.h>
#include "sim/log.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct log_rule {
    char *pattern;
    enum sim_log_level level;
};

struct log_filter {
    enum sim_log_level default_level;
    struct log_rule *rules;
    size_t n_rules;
};

static struct log_filter filter = { SIM_LOG_WARN, NULL, 0 };
static FILE *log_stream;

static const char *const level_names[] = {
    [SIM_LOG_ERROR] = "error",
    [SIM_LOG_WARN] = "warn",
    [SIM_LOG_INFO] = "info",
    [SIM_LOG_DEBUG] = "debug",
    [SIM_LOG_TRACE] = "trace",
};

bool
sim_log_level_from_name(const char *name, enum sim_log_level *level)
{
    for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
        if (!strcmp(name, level_names[i])) {
            *level = (enum sim_log_level)i;
            return true;
        }
    }
    return false;
}

const char *
sim_log_level_name(enum sim_log_level level)
{
    return (unsigned)level < sizeof level_names / sizeof level_names[0]
           ? level_names[level] : "?";
}

static void
filter_free(struct log_filter *f)
{
    for (size_t i = 0; i < f->n_rules; i++) {
        free(f->rules[i].pattern);
    }
    free(f->rules);
    f->rules = NULL;
    f->n_rules = 0;
}

/* Parses 'spec' into 'out'.  On failure 'out' holds whatever was parsed and
 * the caller frees it. */
static int
filter_parse(const char *spec, struct log_filter *out, char *why,
             size_t why_size)
{
    char *copy = strdup(spec);
    char *save = NULL;
    int error = 0;

    if (!copy) {
        return ENOMEM;
    }
    out->default_level = SIM_LOG_WARN;
    for (char *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        const char *level_name = eq ? eq + 1 : tok;
        enum sim_log_level level;

        if (!sim_log_level_from_name(level_name, &level)) {
            snprintf(why, why_size, "log filter: unknown level '%s' "
                     "(expected error, warn, info, debug or trace)",
                     level_name);
            error = EINVAL;
            break;
        }
        if (!eq) {
            out->default_level = level;
            continue;
        }
        *eq = '\0';
        if (!*tok) {
            snprintf(why, why_size, "log filter: empty pattern before '=%s'",
                     level_name);
            error = EINVAL;
            break;
        }
        struct log_rule *rules = realloc(out->rules,
                                         (out->n_rules + 1) * sizeof *rules);
        char *pattern = strdup(tok);
        if (!rules || !pattern) {
            free(pattern);
            if (rules) {
                out->rules = rules;
            }
            error = ENOMEM;
            break;
        }
        out->rules = rules;
        out->rules[out->n_rules].pattern = pattern;
        out->rules[out->n_rules].level = level;
        out->n_rules++;
    }
    free(copy);
    return error;
}

int
sim_log_set_filter(const char *spec, char *why, size_t why_size)
{
    struct log_filter parsed = { SIM_LOG_WARN, NULL, 0 };
    int error = filter_parse(spec, &parsed, why, why_size);

    if (error) {
        filter_free(&parsed);
        return error;
    }
    filter_free(&filter);
    filter = parsed;
    return 0;
}

void
sim_log_set_stream(FILE *stream)
{
    log_stream = stream;
}

static enum sim_log_level
level_for(const char *path)
{
    for (size_t i = filter.n_rules; i-- > 0;) {
        if (!fnmatch(filter.rules[i].pattern, path, 0)) {
            return filter.rules[i].level;
        }
    }
    return filter.default_level;
}

bool
sim_log_enabled(const struct sim *sim, sim_component_id comp,
                enum sim_log_level level)
{
    const char *path = sim ? sim_component_path(sim, comp) : NULL;

    return level <= level_for(path ? path : "");
}

void
sim_log(const struct sim *sim, sim_component_id comp,
        enum sim_log_level level, const char *fmt, ...)
{
    FILE *out = log_stream ? log_stream : stderr;
    const char *path = sim ? sim_component_path(sim, comp) : NULL;
    va_list args;

    if (!path) {
        path = "";
    }
    if (level > level_for(path)) {
        return;
    }
    if (sim) {
        char when[SIM_TIME_STRLEN];
        fprintf(out, "[%s] %s%s%s: ", sim_time_format(sim_now(sim), when,
                                                      sizeof when),
                path, *path ? " " : "", sim_log_level_name(level));
    } else {
        fprintf(out, "%s: ", sim_log_level_name(level));
    }
    va_start(args, fmt);
    vfprintf(out, fmt, args);
    va_end(args);
    fputc('\n', out);
}

void
sim_assert_fail(const char *file, int line, const char *cond)
{
    static const char oom[] = "out of memory ";

    if (!strncmp(cond, oom, sizeof oom - 1)) {
        sim_out_of_memory(cond + sizeof oom - 1);
    }
    fflush(NULL);
    fprintf(stderr, "%s:%d: assertion failed: %s\n", file, line, cond);
    abort();
}

void
sim_fatal(const char *fmt, ...)
{
    va_list ap;

    fflush(NULL);
    fputs("vnetsim: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(3);
}

void
sim_out_of_memory(const char *what)
{
    fflush(NULL);
    fprintf(stderr, "vnetsim: out of memory (%s)\n", what);
    exit(3);
}
