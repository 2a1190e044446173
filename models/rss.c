/*
 * rss.c -- the Toeplitz hash, the NDIS hash-type rules and the RSS
 * indirection table (rss.h).  The frame is parsed by libvmswitch's parser
 * (vmswitch/parse.h); this file only reads the address and port bytes at
 * the offsets the parser found.
 */
#include "config.h"

#include "models/rss.h"

#include <errno.h>
#include <string.h>

#include "sim/log.h"
#include "vmswitch/wire.h"

const uint8_t rss_default_key[RSS_KEY_SIZE] = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
    0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
    0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
    0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
    0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* ------------------------------------------------------------------ */
/* The hash. */

/* The 32 key bits starting at bit 'pos' (bit 0 is the most significant
 * bit of key[0]).  'pos' is at most 8 * RSS_MAX_INPUT - 1, so the five
 * bytes read are all inside the key. */
static uint32_t
key_window(const uint8_t key[RSS_KEY_SIZE], size_t pos)
{
    size_t byte = pos / 8;
    unsigned shift = (unsigned) (pos % 8);
    uint32_t w = vsw_get_be32(key + byte);

    SIM_ASSERT(byte + 4 < RSS_KEY_SIZE);
    if (shift) {
        w = (w << shift) | (uint32_t) (key[byte + 4] >> (8 - shift));
    }
    return w;
}

/* The reference: one input bit at a time, exactly as the definition
 * reads ("for each bit b from left to right, if b is 1 XOR in the
 * left-most 32 bits of K, then shift K left by one"). */
uint32_t
rss_toeplitz(const uint8_t key[RSS_KEY_SIZE], const uint8_t *input, size_t n)
{
    uint32_t result = 0;

    SIM_ASSERT(key != NULL);
    SIM_ASSERT(n <= RSS_MAX_INPUT);
    SIM_ASSERT(input != NULL || n == 0);
    for (size_t pos = 0; pos < 8 * n; pos++) {
        if (input[pos / 8] & (0x80u >> (pos % 8))) {
            result ^= key_window(key, pos);
        }
    }
    return result;
}

void
rss_toeplitz_table_init(struct rss_toeplitz_table *tbl,
                        const uint8_t key[RSS_KEY_SIZE])
{
    SIM_ASSERT(tbl != NULL && key != NULL);
    memcpy(tbl->key, key, RSS_KEY_SIZE);
    for (size_t i = 0; i < RSS_MAX_INPUT; i++) {
        uint32_t w[8];

        for (unsigned j = 0; j < 8; j++) {
            w[j] = key_window(key, 8 * i + j);
        }
        for (unsigned b = 0; b < 256; b++) {
            uint32_t x = 0;

            for (unsigned j = 0; j < 8; j++) {
                if (b & (0x80u >> j)) {
                    x ^= w[j];
                }
            }
            tbl->xor[i][b] = x;
        }
    }
}

uint32_t
rss_toeplitz_table_hash(const struct rss_toeplitz_table *tbl,
                        const uint8_t *input, size_t n)
{
    uint32_t result = 0;

    SIM_ASSERT(tbl != NULL);
    SIM_ASSERT(n <= RSS_MAX_INPUT);
    SIM_ASSERT(input != NULL || n == 0);
    for (size_t i = 0; i < n; i++) {
        result ^= tbl->xor[i][input[i]];
    }
    return result;
}

/* ------------------------------------------------------------------ */
/* Configuration. */

void
rss_config_init(struct rss_config *cfg)
{
    SIM_ASSERT(cfg != NULL);
    memcpy(cfg->key, rss_default_key, RSS_KEY_SIZE);
    cfg->hash_types = RSS_HASH_DEFAULT;
    cfg->skip_ipv4_options = true;
}

int
rss_config_validate(const struct rss_config *cfg)
{
    SIM_ASSERT(cfg != NULL);
    if (cfg->hash_types == 0
        || (cfg->hash_types & ~(RSS_HASH_SUPPORTED | RSS_HASH_EX))) {
        return EINVAL;
    }
    if (cfg->hash_types & RSS_HASH_EX) {
        return ENOTSUP;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Choosing the input. */

static void
no_hash(struct rss_result *out, enum rss_no_hash why)
{
    memset(out, 0, sizeof *out);
    out->why = why;
}

int
rss_hash_parsed(const struct rss_config *cfg,
                const struct rss_toeplitz_table *tbl,
                const void *frame, enum vsw_parse_error err,
                const struct vsw_parse_result *pr, struct rss_result *out)
{
    const uint8_t *d = frame;
    const uint8_t *ip;
    uint8_t input[RSS_MAX_INPUT];
    uint32_t types, ip_type, tcp_type, udp_type, l4_type = 0;
    size_t addr_len, n;
    int error;

    SIM_ASSERT(cfg != NULL && pr != NULL && out != NULL);
    SIM_ASSERT(tbl == NULL || !memcmp(tbl->key, cfg->key, RSS_KEY_SIZE));

    error = rss_config_validate(cfg);
    if (error) {
        no_hash(out, RSS_NO_HASH_TYPE_DISABLED);
        return error;
    }
    if (err != VSW_PARSE_OK) {
        no_hash(out, RSS_NO_HASH_MALFORMED);
        return 0;
    }
    if (!pr->has_l3) {
        no_hash(out, RSS_NO_HASH_NOT_IP);
        return 0;
    }
    SIM_ASSERT(d != NULL);
    ip = d + pr->l3_ofs;
    types = cfg->hash_types;

    /* Where the addresses are, and which types apply to this version. */
    if (pr->key.ip_version == 4) {
        if (pr->l3_hdr_len > VSW_IPV4_HEADER_LEN && !cfg->skip_ipv4_options) {
            no_hash(out, RSS_NO_HASH_IPV4_OPTIONS);
            return 0;
        }
        memcpy(input, ip + 12, 8);          /* source, then destination */
        addr_len = 4;
        ip_type = RSS_HASH_IPV4;
        tcp_type = RSS_HASH_TCP_IPV4;
        udp_type = RSS_HASH_UDP_IPV4;
    } else {
        SIM_ASSERT(pr->key.ip_version == 6);
        memcpy(input, ip + 8, 32);          /* source, then destination */
        addr_len = 16;
        ip_type = RSS_HASH_IPV6;
        tcp_type = RSS_HASH_TCP_IPV6;
        udp_type = RSS_HASH_UDP_IPV6;
    }

    /* A 4-tuple only for a whole (unfragmented) TCP or UDP packet. */
    if (!(pr->key.ip_frag & VSW_FRAG_ANY) && pr->has_l4) {
        if (pr->key.ip_proto == VSW_IPPROTO_TCP) {
            l4_type = tcp_type;
        } else if (pr->key.ip_proto == VSW_IPPROTO_UDP) {
            l4_type = udp_type;
        }
    }

    memset(out, 0, sizeof *out);
    if (l4_type && (types & l4_type)) {
        /* Both TCP and UDP headers start with the source port, then the
         * destination port, in network order: copied as they are. */
        memcpy(input + 2 * addr_len, d + pr->l4_ofs, 4);
        n = 2 * addr_len + 4;
        out->type = l4_type;
    } else if (types & ip_type) {
        n = 2 * addr_len;
        out->type = ip_type;
    } else {
        no_hash(out, RSS_NO_HASH_TYPE_DISABLED);
        return 0;
    }
    out->hashed = true;
    out->input_len = (uint8_t) n;
    out->hash = tbl ? rss_toeplitz_table_hash(tbl, input, n)
                    : rss_toeplitz(cfg->key, input, n);
    out->why = RSS_HASHED;
    return 0;
}

int
rss_hash_frame(const struct rss_config *cfg, const void *frame, size_t len,
               struct rss_result *out)
{
    struct vsw_parse_result pr;
    enum vsw_parse_error err;

    SIM_ASSERT(frame != NULL || len == 0);
    err = vsw_parse_bytes(frame, len, 0, &pr);
    return rss_hash_parsed(cfg, NULL, frame, err, &pr, out);
}

const char *
rss_no_hash_name(enum rss_no_hash why)
{
    static const char *const names[RSS_NO_HASH_N] = {
        [RSS_HASHED] = "hashed",
        [RSS_NO_HASH_MALFORMED] = "malformed",
        [RSS_NO_HASH_NOT_IP] = "not-ip",
        [RSS_NO_HASH_IPV4_OPTIONS] = "ipv4-options",
        [RSS_NO_HASH_TYPE_DISABLED] = "type-disabled",
    };

    if ((unsigned) why >= RSS_NO_HASH_N) {
        return "unknown";
    }
    return names[why];
}

/* ------------------------------------------------------------------ */
/* The indirection table. */

bool
rss_indirection_size_ok(size_t n)
{
    return n >= 1 && n <= RSS_INDIRECTION_MAX && (n & (n - 1)) == 0;
}

void
rss_indirection_init(struct rss_indirection *tbl)
{
    SIM_ASSERT(tbl != NULL);
    memset(tbl, 0, sizeof *tbl);
    tbl->size = 1;
}

int
rss_indirection_set(struct rss_indirection *tbl, const uint32_t *entries,
                    size_t n)
{
    SIM_ASSERT(tbl != NULL);
    if (!rss_indirection_size_ok(n) || entries == NULL) {
        return EINVAL;
    }
    memset(tbl->entry, 0, sizeof tbl->entry);
    memcpy(tbl->entry, entries, n * sizeof entries[0]);
    tbl->size = (uint32_t) n;
    return 0;
}

int
rss_indirection_fill(struct rss_indirection *tbl, size_t size,
                     uint32_t n_queues)
{
    SIM_ASSERT(tbl != NULL);
    if (!rss_indirection_size_ok(size) || n_queues == 0) {
        return EINVAL;
    }
    memset(tbl->entry, 0, sizeof tbl->entry);
    for (size_t i = 0; i < size; i++) {
        tbl->entry[i] = (uint32_t) (i % n_queues);
    }
    tbl->size = (uint32_t) size;
    return 0;
}

uint32_t
rss_indirect(const struct rss_indirection *tbl, uint32_t hash)
{
    SIM_ASSERT(tbl != NULL && rss_indirection_size_ok(tbl->size));
    return tbl->entry[hash & (tbl->size - 1)];
}
