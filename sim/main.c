/*
 * main.c -- the vnetsim program: the composition root.
 *
 * vnetsim is a command with subcommands, in the style of git:
 *
 *     vnetsim run SCENARIO.lua [-p NAME=VALUE]... [options]
 *     vnetsim params SCENARIO.lua [-p NAME=VALUE]... [--config]
 *     vnetsim sweep SCENARIO.lua [-j N] [-r FILTER] [-o FILE.db] [--list]
 *     vnetsim merge OUT.db IN.db...
 *     vnetsim compare BASE.db NEW.db [--rel-tol R] [--tol PATTERN=R]...
 *     vnetsim plot DB -o FILE [--kind KIND] [--x VAR] [--run N] [--size WxH]
 *     vnetsim report DB -o DIR [--title TEXT]
 *     vnetsim demo [-o FILE.db] [--seed N] [--until-us N] [--show]
 *     vnetsim --help | --version
 *
 * This file only dispatches.  Each subcommand lives in its own file
 * (run.c, compare.c, script.c, demo.c) and returns one of the documented exit codes below, so a
 * script can tell a bad scenario from a bad command line from a bug.
 */
#include <config.h>
#include "sim/cli.h"
#include "sim/mpisweep.h"

#include <stdio.h>
#include <string.h>

#include <lua.h>
#include <sqlite3.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    { "run", vnetsim_run_main,
      "run a scenario once and record it (doc/lua-api.md)" },
    { "params", vnetsim_params_main,
      "list a scenario's parameters and the sweep it defines" },
    { "sweep", vnetsim_sweep_main,
      "run a scenario's parameter study, N runs at a time" },
    { "merge", vnetsim_merge_main,
      "merge results databases, each run once (doc/cluster.md)" },
    { "compare", vnetsim_compare_main,
      "compare the runs of two results databases (doc/analysis.md)" },
    { "plot", vnetsim_plot_main,
      "plot throughput, CPU, exits and latency with gnuplot (doc/analysis.md)" },
    { "report", vnetsim_report_main,
      "write an HTML page of a database's runs, parameters and plots" },
    { "demo", vnetsim_demo_main,
      "run the built-in M/M/1 workload and record it (see doc/engine.md)" },
};

static void
usage(FILE *out)
{
    fprintf(out, "usage: vnetsim COMMAND [OPTIONS]\n"
            "       vnetsim --help | --version\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(out, "\nexit codes: 0 success, 1 scenario or input error, "
            "2 usage error, 3 internal error\n"
            "'vnetsim COMMAND --help' describes a command's options.\n");
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return VNETSIM_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("vnetsim %s\n", PACKAGE_VERSION);
        printf("Lua %s.%s, SQLite %s\n", LUA_VERSION_MAJOR, LUA_VERSION_MINOR,
               sqlite3_libversion());
        if (mpisweep_library()) {
            printf("MPI: %s\n", mpisweep_library());
        }
        return VNETSIM_EXIT_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return VNETSIM_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (!strcmp(argv[1], commands[i].name)) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "vnetsim: unknown command '%s' (try 'vnetsim --help')\n",
            argv[1]);
    return VNETSIM_EXIT_USAGE;
}
