/*
 * vlan.c -- the 802.1Q policy of a port: validating a VLAN configuration,
 * classifying a frame on ingress, deciding membership and tagging on
 * egress, and the private-VLAN learning domains.  Pure functions of the
 * configuration; the pipeline (pipeline.c) applies them and names the
 * drops.  The behaviour table is in vswitch.h.
 */
#include <config.h>
#include "vmswitch/vswitch-private.h"

#include <string.h>

void
vsw_vid_set_clear(struct vsw_vid_set *s)
{
    memset(s, 0, sizeof *s);
}

void
vsw_vid_set_add(struct vsw_vid_set *s, uint16_t vid)
{
    if (vid < 4096) {
        s->bits[vid / 64] |= UINT64_C(1) << (vid % 64);
    }
}

void
vsw_vid_set_add_range(struct vsw_vid_set *s, uint16_t lo, uint16_t hi)
{
    for (uint32_t v = lo; v <= hi && v < 4096; v++) {
        vsw_vid_set_add(s, (uint16_t) v);
    }
}

bool
vsw_vid_set_contains(const struct vsw_vid_set *s, uint16_t vid)
{
    return vid < 4096 && (s->bits[vid / 64] >> (vid % 64)) & 1;
}

static bool
vid_ok(uint16_t vid)
{
    return vid >= 1 && vid <= VSW_VID_MAX;
}

/* A set of usable VIDs: neither 0 nor 4095. */
static bool
set_ok(const struct vsw_vid_set *s)
{
    return !vsw_vid_set_contains(s, 0) && !vsw_vid_set_contains(s, 4095);
}

bool
vsw_vlan_config_valid(const struct vsw_vlan_config *v)
{
    switch (v->mode) {
    case VSW_VLAN_UNTAGGED:
        return true;
    case VSW_VLAN_ACCESS:
        return vid_ok(v->access_vid);
    case VSW_VLAN_TRUNK:
        return v->native_vid <= VSW_VID_MAX && set_ok(&v->allowed);
    case VSW_VLAN_PVLAN:
        if (!vid_ok(v->primary_vid)) {
            return false;
        }
        switch (v->pvlan) {
        case VSW_PVLAN_ISOLATED:
        case VSW_PVLAN_COMMUNITY:
            return vid_ok(v->secondary_vid)
                   && v->secondary_vid != v->primary_vid;
        case VSW_PVLAN_PROMISCUOUS:
            return set_ok(&v->secondaries)
                   && !vsw_vid_set_contains(&v->secondaries, v->primary_vid);
        }
        return false;
    }
    return false;
}

/* Classifies a frame arriving on a port configured 'v'.  'tagged' says
 * whether it carried a tag with a nonzero VID 'vid' (a priority tag counts
 * as untagged).  Returns VSW_DROP_NONE and stores the frame's VLAN in
 * '*vlan', or the reason to drop it. */
enum vsw_drop_reason
vsw_vlan_ingress(const struct vsw_vlan_config *v, bool tagged, uint16_t vid,
                 uint16_t *vlan)
{
    uint16_t untagged_vlan;

    switch (v->mode) {
    case VSW_VLAN_UNTAGGED:
        if (tagged) {
            return VSW_DROP_VLAN_TAGGED;
        }
        *vlan = 0;
        return VSW_DROP_NONE;
    case VSW_VLAN_ACCESS:
        untagged_vlan = v->access_vid;
        break;
    case VSW_VLAN_TRUNK:
        if (!tagged) {
            *vlan = v->native_vid;
            return VSW_DROP_NONE;
        }
        if (vid == v->native_vid || vsw_vid_set_contains(&v->allowed, vid)) {
            *vlan = vid;
            return VSW_DROP_NONE;
        }
        return VSW_DROP_VLAN_INGRESS;
    case VSW_VLAN_PVLAN:
        untagged_vlan = v->pvlan == VSW_PVLAN_PROMISCUOUS
                        ? v->primary_vid : v->secondary_vid;
        break;
    default:
        return VSW_DROP_VLAN_INGRESS;
    }
    /* Access and private VLAN ports: untagged, or tagged with their own
     * VLAN. */
    if (tagged && vid != untagged_vlan) {
        return VSW_DROP_VLAN_INGRESS;
    }
    *vlan = untagged_vlan;
    return VSW_DROP_NONE;
}

/* Says whether a port configured 'v' is a member of VLAN 'vlan' for
 * egress, and if so whether frames leave it tagged ('*tagged'). */
bool
vsw_vlan_egress(const struct vsw_vlan_config *v, uint16_t vlan, bool *tagged)
{
    *tagged = false;
    switch (v->mode) {
    case VSW_VLAN_UNTAGGED:
        return vlan == 0;
    case VSW_VLAN_ACCESS:
        return vlan == v->access_vid;
    case VSW_VLAN_TRUNK:
        if (vlan == v->native_vid) {
            return true;
        }
        if (vlan != 0 && vsw_vid_set_contains(&v->allowed, vlan)) {
            *tagged = true;
            return true;
        }
        return false;
    case VSW_VLAN_PVLAN:
        if (vlan == v->primary_vid) {
            return true;
        }
        switch (v->pvlan) {
        case VSW_PVLAN_ISOLATED:
            return false;
        case VSW_PVLAN_COMMUNITY:
            return vlan == v->secondary_vid;
        case VSW_PVLAN_PROMISCUOUS:
            return vsw_vid_set_contains(&v->secondaries, vlan);
        }
        return false;
    }
    return false;
}

/* Binds secondary VID 's' to primary 'p' in 'fid'; false on a conflict
 * (bound to another primary, or used as a primary itself). */
static bool
bind_secondary(uint16_t *fid, bool *is_primary, uint16_t s, uint16_t p)
{
    if (is_primary[s] || (fid[s] != s && fid[s] != p)) {
        return false;
    }
    fid[s] = p;
    return true;
}

/* Fills 'cfg->fid' from the private VLAN ports of 'cfg'.  Returns false if
 * the private VLANs conflict (a secondary bound to two primaries, or a VID
 * that is both primary and secondary). */
bool
vsw_vlan_compute_fids(struct vsw_cfg *cfg)
{
    bool is_primary[4096];

    memset(is_primary, 0, sizeof is_primary);
    for (uint32_t v = 0; v < 4096; v++) {
        cfg->fid[v] = (uint16_t) v;
    }
    for (size_t i = 0; i < cfg->n_ports; i++) {
        const struct vsw_vlan_config *v = &cfg->ports[i].vlan;
        if (v->mode == VSW_VLAN_PVLAN) {
            is_primary[v->primary_vid] = true;
        }
    }
    for (size_t i = 0; i < cfg->n_ports; i++) {
        const struct vsw_vlan_config *v = &cfg->ports[i].vlan;
        if (v->mode != VSW_VLAN_PVLAN) {
            continue;
        }
        if (cfg->fid[v->primary_vid] != v->primary_vid) {
            return false;
        }
        if (v->pvlan == VSW_PVLAN_PROMISCUOUS) {
            for (uint32_t s = 1; s <= VSW_VID_MAX; s++) {
                if (vsw_vid_set_contains(&v->secondaries, (uint16_t) s)
                    && !bind_secondary(cfg->fid, is_primary, (uint16_t) s,
                                       v->primary_vid)) {
                    return false;
                }
            }
        } else if (!bind_secondary(cfg->fid, is_primary, v->secondary_vid,
                                   v->primary_vid)) {
            return false;
        }
    }
    return true;
}
