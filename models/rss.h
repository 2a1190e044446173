/*
 * rss.h -- receive side scaling in the physical NIC model: the Toeplitz
 * hash, the choice of hash input from a received frame under the NDIS
 * hash types, and the indirection table that maps a hash to a queue.
 * rxfilter.h builds the NIC's receive classifier (VMQ filters or RSS) on
 * top of this module; vmswitch/parse.h finds the headers in the frame.
 *
 * THE HASH.  The Toeplitz hash of an n-byte input under a 40-byte secret
 * key K reads the input as a string of 8n bits, most significant bit of
 * input[0] first.  For every bit i that is set, it XORs into the result
 * the 32 bits of K starting at bit i (K[i .. i+31], bit 0 being the most
 * significant bit of K[0]).  A 40-byte key has 320 bits, so an input may
 * have at most 36 bytes (288 bits + 32); that is exactly the IPv6 4-tuple.
 * rss_toeplitz() does this bit by bit; rss_toeplitz_table_hash() gives the
 * same value from 36 x 256 precomputed XORs, one lookup per input byte.
 *
 * THE INPUT.  The hash input is the source address, then the destination
 * address, then (for a 4-tuple) the source port and the destination port,
 * all in network byte order as they are in the packet: 8 or 12 bytes for
 * IPv4, 32 or 36 for IPv6.  Note the order: SOURCE first, although
 * Microsoft's verification table lists the destination first.
 *
 * THE RULES (NDIS "RSS Hashing Types").  The enabled hash types are a set
 * of NDIS_HASH_* flags; the values below are those of ntddndis.h, so a
 * hash type can go unchanged into a frame's out-of-band metadata.  For an
 * IPv4 or IPv6 packet:
 *   1. a 4-tuple hash (type TCP_IPVx or UDP_IPVx) when that type is
 *      enabled and the packet is not a fragment and carries that
 *      transport header;
 *   2. otherwise a 2-tuple hash (type IPVx) when IPVx is enabled;
 *   3. otherwise no hash.
 * Every IPv4 fragment, the first one included, takes the 2-tuple hash, so
 * all pieces of a datagram land on one queue.  This module applies the
 * same rule to IPv6 packets with a fragment header (the NDIS page says it
 * only for IPv4; the reason is the same).  IPv4 options and IPv6
 * extension headers are skipped to find the transport header; a NIC that
 * cannot skip IPv4 options ('skip_ipv4_options' false) computes no hash
 * for a packet that has them.  A frame that is not IP, or that the parser
 * finds malformed, gets no hash.  802.1Q / 802.1ad tags in front of the
 * IP header are skipped and do not change the hash.  The IPv6 "_EX" types
 * (home address option, type-2 routing header) are not modelled:
 * rss_config_validate() refuses them with ENOTSUP.
 *
 * THE INDIRECTION TABLE.  A table of 2^k entries (1 <= 2^k <= 128) maps a
 * hash to a queue (or a processor: the numbers are the caller's): entry
 * [hash & (size - 1)], that is, the k least significant bits of the hash,
 * which is the hash modulo the table size.
 *
 * DETERMINISM AND STATE.  Everything here is a pure function of its
 * arguments.  Nothing allocates; the structures are plain values the
 * caller owns and may copy.  Configuration errors are returned (0 or a
 * positive errno); arguments that only a bug can make wrong are asserted.
 */
#ifndef VNETSIM_MODELS_RSS_H
#define VNETSIM_MODELS_RSS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmswitch/parse.h"

/* Bytes in a Toeplitz secret key (NDIS: 40, 320 bits). */
#define RSS_KEY_SIZE 40

/* The longest hash input, bytes: the IPv6 4-tuple. */
#define RSS_MAX_INPUT 36

/* The largest indirection table (NDIS revision 2: 128 entries). */
#define RSS_INDIRECTION_MAX 128

/* Hash types: the NDIS_HASH_* flag values of ntddndis.h. */
#define RSS_HASH_IPV4         UINT32_C(0x00000100)  /* NDIS_HASH_IPV4 */
#define RSS_HASH_TCP_IPV4     UINT32_C(0x00000200)  /* NDIS_HASH_TCP_IPV4 */
#define RSS_HASH_IPV6         UINT32_C(0x00000400)  /* NDIS_HASH_IPV6 */
#define RSS_HASH_IPV6_EX      UINT32_C(0x00000800)  /* NDIS_HASH_IPV6_EX */
#define RSS_HASH_TCP_IPV6     UINT32_C(0x00001000)  /* NDIS_HASH_TCP_IPV6 */
#define RSS_HASH_TCP_IPV6_EX  UINT32_C(0x00002000)  /* NDIS_HASH_TCP_IPV6_EX */
#define RSS_HASH_UDP_IPV4     UINT32_C(0x00004000)  /* NDIS_HASH_UDP_IPV4 */
#define RSS_HASH_UDP_IPV6     UINT32_C(0x00008000)  /* NDIS_HASH_UDP_IPV6 */
#define RSS_HASH_UDP_IPV6_EX  UINT32_C(0x00010000)  /* NDIS_HASH_UDP_IPV6_EX */

/* The types this model computes. */
#define RSS_HASH_SUPPORTED                                              \
    (RSS_HASH_IPV4 | RSS_HASH_TCP_IPV4 | RSS_HASH_UDP_IPV4              \
     | RSS_HASH_IPV6 | RSS_HASH_TCP_IPV6 | RSS_HASH_UDP_IPV6)

/* The IPv6 extension-header types, which it refuses. */
#define RSS_HASH_EX                                                     \
    (RSS_HASH_IPV6_EX | RSS_HASH_TCP_IPV6_EX | RSS_HASH_UDP_IPV6_EX)

/* The default set: the IP and TCP types of NDIS 6.0 (the UDP types came
 * with NDIS 6.80). */
#define RSS_HASH_DEFAULT                                                \
    (RSS_HASH_IPV4 | RSS_HASH_TCP_IPV4 | RSS_HASH_IPV6 | RSS_HASH_TCP_IPV6)

/* The key of Microsoft's "Verifying the RSS Hash Calculation" page (also
 * Intel's RSS verification suite), used as the default key. */
extern const uint8_t rss_default_key[RSS_KEY_SIZE];

/* What the overlying driver configures (NDIS_RECEIVE_SCALE_PARAMETERS,
 * less the processor set). */
struct rss_config {
    uint8_t key[RSS_KEY_SIZE];      /* the Toeplitz secret key */
    uint32_t hash_types;            /* RSS_HASH_* flags enabled */
    bool skip_ipv4_options;         /* the NIC can skip IPv4 options */
};

/* Why a frame got no hash. */
enum rss_no_hash {
    RSS_HASHED = 0,                 /* it did get one */
    RSS_NO_HASH_MALFORMED,          /* the parser refused the frame */
    RSS_NO_HASH_NOT_IP,             /* ARP, unknown ethertype, ... */
    RSS_NO_HASH_IPV4_OPTIONS,       /* options the NIC cannot skip */
    RSS_NO_HASH_TYPE_DISABLED,      /* no enabled type fits the packet */
    RSS_NO_HASH_N
};

/* The outcome of hashing one frame. */
struct rss_result {
    bool hashed;                    /* 'hash' and 'type' are valid */
    uint32_t hash;                  /* the Toeplitz hash, else 0 */
    uint32_t type;                  /* the one RSS_HASH_* flag used, else 0 */
    uint8_t input_len;              /* bytes hashed: 8, 12, 32 or 36; 0 */
    enum rss_no_hash why;           /* RSS_HASHED, or why not */
};

/* The Toeplitz hash of the 'n' bytes at 'input' under 'key' (see THE
 * HASH).  'n' must be at most RSS_MAX_INPUT; 0 bytes hash to 0. */
uint32_t rss_toeplitz(const uint8_t key[RSS_KEY_SIZE], const uint8_t *input,
                      size_t n);

/* A key expanded for hashing a byte at a time: 'xor[i][b]' is the XOR of
 * the key windows selected by the set bits of byte value 'b' at input
 * position 'i'.  About 36 KiB; the caller owns it. */
struct rss_toeplitz_table {
    uint8_t key[RSS_KEY_SIZE];      /* the key it was built from */
    uint32_t xor[RSS_MAX_INPUT][256];
};

/* Builds '*tbl' for 'key'. */
void rss_toeplitz_table_init(struct rss_toeplitz_table *tbl,
                             const uint8_t key[RSS_KEY_SIZE]);

/* The same value as rss_toeplitz(tbl->key, input, n), by table lookup. */
uint32_t rss_toeplitz_table_hash(const struct rss_toeplitz_table *tbl,
                                 const uint8_t *input, size_t n);

/* Fills '*cfg' with the defaults: rss_default_key, RSS_HASH_DEFAULT and
 * IPv4 options skipped. */
void rss_config_init(struct rss_config *cfg);

/* Checks '*cfg': returns 0, EINVAL if no hash type is enabled or an
 * unknown flag is set, or ENOTSUP if an IPv6 _EX type is enabled. */
int rss_config_validate(const struct rss_config *cfg);

/* Hashes the 'len' bytes of the Ethernet frame at 'frame' under '*cfg'
 * following THE RULES, writing the outcome to '*out' (always fully
 * written).  Returns 0, or the rss_config_validate() error with '*out'
 * saying "not hashed" (RSS_NO_HASH_TYPE_DISABLED).  A frame that cannot
 * be hashed is not an error. */
int rss_hash_frame(const struct rss_config *cfg, const void *frame,
                   size_t len, struct rss_result *out);

/* As rss_hash_frame(), for a frame the caller has already parsed:
 * 'err' and '*pr' are what vsw_parse_bytes() returned for 'frame'.
 * 'tbl', if not NULL, must have been built from cfg->key and is used
 * for speed; NULL hashes bit by bit. */
int rss_hash_parsed(const struct rss_config *cfg,
                    const struct rss_toeplitz_table *tbl,
                    const void *frame, enum vsw_parse_error err,
                    const struct vsw_parse_result *pr,
                    struct rss_result *out);

/* Returns a static name for 'why' ("hashed", "malformed", ...);
 * "unknown" for a value out of range. */
const char *rss_no_hash_name(enum rss_no_hash why);

/* The indirection table.  Invariant: 'size' is a power of two in
 * 1 .. RSS_INDIRECTION_MAX and entries [0, size) are meaningful. */
struct rss_indirection {
    uint32_t size;                  /* entries in use */
    uint32_t entry[RSS_INDIRECTION_MAX];  /* queue (or processor) numbers */
};

/* True if 'n' is a valid table size: a power of two, 1 .. 128. */
bool rss_indirection_size_ok(size_t n);

/* Makes '*tbl' the one-entry table sending everything to queue 0. */
void rss_indirection_init(struct rss_indirection *tbl);

/* Sets '*tbl' to the 'n' entries at 'entries'.  Returns 0, or EINVAL if
 * 'n' is not a valid size, leaving '*tbl' unchanged. */
int rss_indirection_set(struct rss_indirection *tbl, const uint32_t *entries,
                        size_t n);

/* Sets '*tbl' to 'size' entries spreading 'n_queues' queues round robin:
 * entry i = i mod n_queues.  Returns 0, or EINVAL (bad size, no queues)
 * leaving '*tbl' unchanged. */
int rss_indirection_fill(struct rss_indirection *tbl, size_t size,
                         uint32_t n_queues);

/* The entry for 'hash': entry[hash & (size - 1)]. */
uint32_t rss_indirect(const struct rss_indirection *tbl, uint32_t hash);

#endif /* VNETSIM_MODELS_RSS_H */
