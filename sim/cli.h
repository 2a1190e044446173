/*
 * cli.h -- what the vnetsim program's subcommands share: exit codes and
 * their entry points.  Each subcommand parses its own options with
 * getopt_long and returns one of the exit codes.
 */
#ifndef VNETSIM_SIM_CLI_H
#define VNETSIM_SIM_CLI_H 1

enum vnetsim_exit {
    VNETSIM_EXIT_OK = 0,        /* success */
    VNETSIM_EXIT_INPUT = 1,     /* scenario or input error (bad file, bad value) */
    VNETSIM_EXIT_USAGE = 2,     /* usage error (bad option or argument) */
    VNETSIM_EXIT_INTERNAL = 3,  /* internal error (I/O, database, bug) */
};

/* "vnetsim demo": the built-in M/M/1 workload (demo.c).  'argv[0]' is
 * "demo". */
int vnetsim_demo_main(int argc, char **argv);

/* "vnetsim run", "vnetsim params", "vnetsim sweep" (run.c). */
int vnetsim_run_main(int argc, char **argv);
int vnetsim_params_main(int argc, char **argv);
int vnetsim_sweep_main(int argc, char **argv);

/* "vnetsim merge OUT.db IN.db..." (merge.c). */
int vnetsim_merge_main(int argc, char **argv);

/* "vnetsim compare" (compare.c).  Its exit codes follow diff(1) instead:
 * 0 same, 1 different, 2 trouble. */
int vnetsim_compare_main(int argc, char **argv);

/* "vnetsim plot" and "vnetsim report" (script.c): run
 * scripts/vnetsim-plot and scripts/vnetsim-report. */
int vnetsim_plot_main(int argc, char **argv);
int vnetsim_report_main(int argc, char **argv);

#endif /* VNETSIM_SIM_CLI_H */
