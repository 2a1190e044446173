/*
 * script.c -- subcommands written as scripts: "vnetsim plot" runs
 * scripts/vnetsim-plot and "vnetsim report" scripts/vnetsim-report
 * (sqlite3 and gnuplot do the work; a script is the right tool, and a
 * user can read and adapt it).
 *
 * WHERE THE SCRIPT IS.  $VNETSIM_SCRIPTS if set; else the source tree's
 * scripts/ when it exists (a build that is not installed, and the tests);
 * else the installed copy in $(pkglibexecdir).  The script replaces this
 * process (execv), so its exit status is the command's.
 */
#include <config.h>
#include "sim/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
exec_script(const char *name, int argc, char **argv)
{
    const char *dirs[3] = { getenv("VNETSIM_SCRIPTS"), VNETSIM_SRC_SCRIPTS,
                            VNETSIM_LIBEXECDIR };
    char path[4096];
    char **args;

    for (size_t i = 0; i < 3; i++) {
        if (!dirs[i] || !*dirs[i]) {
            continue;
        }
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dirs[i], name)
            >= sizeof path) {
            continue;
        }
        if (access(path, R_OK) == 0) {
            break;
        }
        path[0] = '\0';
    }
    if (!path[0]) {
        fprintf(stderr, "vnetsim %s: cannot find the script '%s' (looked in "
                "$VNETSIM_SCRIPTS, %s and %s)\n", argv[0], name,
                VNETSIM_SRC_SCRIPTS, VNETSIM_LIBEXECDIR);
        return VNETSIM_EXIT_INTERNAL;
    }
    args = calloc((size_t)argc + 2, sizeof *args);
    if (!args) {
        fprintf(stderr, "vnetsim %s: out of memory\n", argv[0]);
        return VNETSIM_EXIT_INTERNAL;
    }
    args[0] = (char *)"sh";
    args[1] = path;
    for (int i = 1; i < argc; i++) {
        args[i + 1] = argv[i];
    }
    execv("/bin/sh", args);
    fprintf(stderr, "vnetsim %s: cannot run %s: %s\n", argv[0], path,
            strerror(errno));
    free(args);
    return VNETSIM_EXIT_INTERNAL;
}

int
vnetsim_plot_main(int argc, char **argv)
{
    return exec_script("vnetsim-plot", argc, argv);
}

int
vnetsim_report_main(int argc, char **argv)
{
    return exec_script("vnetsim-report", argc, argv);
}
