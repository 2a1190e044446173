/*
 * pktvec.h -- a growable array of frames, the buffer models use to collect
 * the frames one step produced (a provider's deliveries, a driver's
 * receive batch) before they hand them on.  It never shrinks, so once a
 * model has reached its steady batch size it allocates no more.
 */
#ifndef VNETSIM_MODELS_PKTVEC_H
#define VNETSIM_MODELS_PKTVEC_H 1

#include <stddef.h>

struct vsw_pkt;

struct pktvec {
    struct vsw_pkt **v;
    size_t n, cap;
};

/* Appends 'pkt' (the vector does not own it).  Running out of memory
 * aborts with a message (the simulator program's policy). */
void pktvec_push(struct pktvec *f, struct vsw_pkt *pkt);

/* Frees the frames from index 'from' on and the array (teardown of a run
 * cut short). */
void pktvec_free(struct pktvec *f, size_t from);

#endif /* VNETSIM_MODELS_PKTVEC_H */
