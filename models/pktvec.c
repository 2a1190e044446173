/*
 * pktvec.c -- a growable array of frames (pktvec.h).
 */
#include "config.h"

#include "models/pktvec.h"

#include <stdlib.h>

#include "sim/log.h"
#include "vmswitch/packet.h"

void
pktvec_push(struct pktvec *f, struct vsw_pkt *pkt)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 64;
        struct vsw_pkt **v = realloc(f->v, cap * sizeof *v);
        if (!v) {
            sim_out_of_memory("frame vector");
        }
        f->v = v;
        f->cap = cap;
    }
    f->v[f->n++] = pkt;
}

void
pktvec_free(struct pktvec *f, size_t from)
{
    for (size_t i = from; i < f->n; i++) {
        vsw_pkt_free(f->v[i]);
    }
    free(f->v);
    f->v = NULL;
    f->n = f->cap = 0;
}
