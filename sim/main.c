/*
 * main.c -- the vnetsim program (composition root).  Placeholder until the
 * engine lands; see doc/engine.md.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        printf("vnetsim %s\n", PACKAGE_VERSION);
        return 0;
    }
    fprintf(stderr, "usage: vnetsim --version\n");
    return 2;
}
