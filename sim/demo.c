/* demo.c -- the built-in M/M/1 workload (being written). */
#include <config.h>
#include "sim/cli.h"

#include <stdio.h>

int
vnetsim_demo_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "vnetsim demo: not built yet\n");
    return VNETSIM_EXIT_INTERNAL;
}
