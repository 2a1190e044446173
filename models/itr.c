/*
 * itr.c -- interrupt moderation (itr.h): the fixed and adaptive interval
 * rules.
 */
#include "config.h"

#include "models/itr.h"

#include "sim/log.h"

static const uint32_t class_rate[] = {
    [ITR_LOWEST_LATENCY] = ITR_RATE_LOWEST,
    [ITR_LOW_LATENCY] = ITR_RATE_LOW,
    [ITR_BULK_LATENCY] = ITR_RATE_BULK,
};

void
itr_init(struct itr *itr, enum itr_mode mode, uint32_t fixed_rate,
         bool conservative)
{
    *itr = (struct itr){ .mode = mode, .conservative = conservative };
    switch (mode) {
    case ITR_OFF:
        itr->rate = 0;
        break;
    case ITR_FIXED:
        SIM_ASSERT(fixed_rate >= ITR_RATE_MIN && fixed_rate <= ITR_RATE_MAX);
        itr->rate = fixed_rate;
        break;
    case ITR_ADAPTIVE:
        itr->cls = ITR_LOW_LATENCY;
        itr->rate = ITR_RATE_LOW;
        break;
    }
}

sim_time_t
itr_interval(const struct itr *itr)
{
    return itr->rate ? (sim_time_t)(INT64_C(1000000000000) / itr->rate) : 0;
}

void
itr_account(struct itr *itr, uint64_t packets, uint64_t bytes)
{
    itr->packets += packets;
    itr->bytes += bytes;
}

enum itr_class
itr_next_class(enum itr_class cls, uint64_t p, uint64_t b)
{
    if (p == 0) {
        return cls;
    }
    switch (cls) {
    case ITR_LOWEST_LATENCY:
        if (b / p > 8000) {
            return ITR_BULK_LATENCY;
        }
        if (p < 5 && b > 512) {
            return ITR_LOW_LATENCY;
        }
        return cls;
    case ITR_LOW_LATENCY:
        if (b > 10000) {
            if (b / p > 8000 || p < 10 || b / p > 1200) {
                return ITR_BULK_LATENCY;
            }
            if (p > 35) {
                return ITR_LOWEST_LATENCY;
            }
            return cls;
        }
        if (b / p > 2000) {
            return ITR_BULK_LATENCY;
        }
        if (p <= 2 && b < 512) {
            return ITR_LOWEST_LATENCY;
        }
        return cls;
    case ITR_BULK_LATENCY:
        if (b > 25000) {
            return p > 35 ? ITR_LOW_LATENCY : cls;
        }
        return b < 6000 ? ITR_LOW_LATENCY : cls;
    }
    SIM_ASSERT(!"unknown moderation class");
    return cls;
}

void
itr_fired(struct itr *itr)
{
    if (itr->mode == ITR_ADAPTIVE) {
        itr->cls = itr_next_class(itr->cls, itr->packets, itr->bytes);
        if (itr->conservative && itr->cls == ITR_LOWEST_LATENCY) {
            itr->cls = ITR_LOW_LATENCY;
        }
        uint32_t target = class_rate[itr->cls], rate = itr->rate;
        if (target > rate) {
            rate = rate + target / 4 < target ? rate + target / 4 : target;
        } else {
            rate = target;
        }
        if (rate != itr->rate) {
            itr->rate = rate;
            itr->changes++;
        }
    }
    itr->packets = 0;
    itr->bytes = 0;
}

const char *
itr_mode_name(enum itr_mode mode)
{
    switch (mode) {
    case ITR_OFF:
        return "off";
    case ITR_FIXED:
        return "fixed";
    case ITR_ADAPTIVE:
        return "adaptive";
    }
    return "?";
}
