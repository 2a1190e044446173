/*
 * netvsc-wire.h -- the bytes the synthetic NIC's two ends exchange: NVSP
 * messages (the netvsc protocol carried in VMBus packets) and RNDIS
 * messages (carried in the send and receive buffers in guest memory), with
 * their constants and the per-packet-info (PPI) records that hold a
 * frame's out-of-band metadata.  Private to models/netvsc-*.c and the
 * tests; the rest of the simulator uses models/netvsc.h.
 *
 * LAYOUT.  Every wire struct is the layout of a struct of the same name in
 * Linux drivers/net/hyperv/hyperv_net.h (FACTS.md section 3.4; checked
 * against the header of Linux 6.6): little-endian, packed, 32-bit fields
 * unless noted.  Multi-byte fields are netvsc_le16/32/64, structs of
 * bytes, so every wire struct has alignment 1 and a _Static_assert on its
 * size: a padding mistake fails the build.  The one struct the Linux
 * header does not pack, struct ndis_offload_params, has its natural
 * padding spelled out (pad0, pad1) so that its size is the 28 bytes Linux
 * sends.
 *
 * HOW THE CODE USES THEM.  A struct is never overlaid on a buffer.
 * Encoding fills a local struct with netvsc_put_le*() and memcpy()s it to
 * its offset; decoding memcpy()s the bytes into a local struct and reads it
 * with netvsc_get_le*().  No unaligned access, no aliasing question, and
 * the byte order is in the accessor.
 *
 * SOURCES (values confirmed against public headers): hyperv_net.h (NVSP
 * message types and statuses, protocol versions, struct nvsp_*, struct
 * rndis_*, enum ndis_per_pkt_info_type, struct ndis_tcp_ip_checksum_info,
 * struct ndis_pkt_8021q_info, struct ndis_tcp_lso_info, struct
 * ndis_offload_params and its NDIS_OFFLOAD_PARAMETERS_* values,
 * OID_TCP_OFFLOAD_PARAMETERS 0xFC01020C, NDIS_PACKET_TYPE_*); Linux
 * include/linux/rndis.h and the RNDIS specification (REMOTE_NDIS_*_MSG
 * 1..8, completions 0x8000000x, RNDIS_STATUS_*, OID_GEN_CURRENT_PACKET_FILTER
 * 0x0001010E, RNDIS major version 1, minor 0); DPDK
 * drivers/net/netvsc/hn_nvs.h for NDIS_VERSION_6_1 0x00060001 and
 * NDIS_VERSION_6_30 0x0006001e, which Linux netvsc_connect_vsp announces.
 */
#ifndef VNETSIM_MODELS_NETVSC_WIRE_H
#define VNETSIM_MODELS_NETVSC_WIRE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmswitch/packet.h"

/* ------------------------------------------------------------------ */
/* Little-endian integers. */

typedef struct { uint8_t b[2]; } netvsc_le16;
typedef struct { uint8_t b[4]; } netvsc_le32;
typedef struct { uint8_t b[8]; } netvsc_le64;

_Static_assert(sizeof(netvsc_le16) == 2 && _Alignof(netvsc_le16) == 1, "le16");
_Static_assert(sizeof(netvsc_le32) == 4 && _Alignof(netvsc_le32) == 1, "le32");
_Static_assert(sizeof(netvsc_le64) == 8 && _Alignof(netvsc_le64) == 1, "le64");

/* The accessors take the address of a field or of any byte. */
static inline uint16_t
netvsc_get_le16(const void *p)
{
    const uint8_t *b = p;
    return (uint16_t) (b[0] | b[1] << 8);
}

static inline uint32_t
netvsc_get_le32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t) b[0] | (uint32_t) b[1] << 8 | (uint32_t) b[2] << 16
           | (uint32_t) b[3] << 24;
}

static inline uint64_t
netvsc_get_le64(const void *p)
{
    const uint8_t *b = p;
    return (uint64_t) netvsc_get_le32(b) | (uint64_t) netvsc_get_le32(b + 4) << 32;
}

static inline void
netvsc_put_le16(void *p, uint16_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t) v;
    b[1] = (uint8_t) (v >> 8);
}

static inline void
netvsc_put_le32(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t) v;
    b[1] = (uint8_t) (v >> 8);
    b[2] = (uint8_t) (v >> 16);
    b[3] = (uint8_t) (v >> 24);
}

static inline void
netvsc_put_le64(void *p, uint64_t v)
{
    uint8_t *b = p;
    netvsc_put_le32(b, (uint32_t) v);
    netvsc_put_le32(b + 4, (uint32_t) (v >> 32));
}

/* ------------------------------------------------------------------ */
/* NVSP: versions, message types, statuses. */

#define NETVSC_NVSP_V1 0x00002u
#define NETVSC_NVSP_V2 0x30002u
#define NETVSC_NVSP_V4 0x40000u
#define NETVSC_NVSP_V5 0x50000u
#define NETVSC_NVSP_V6 0x60000u
#define NETVSC_NVSP_V61 0x60001u

enum netvsc_nvsp_type {
    NETVSC_NVSP_MSG_INIT = 1,
    NETVSC_NVSP_MSG_INIT_COMPLETE = 2,
    NETVSC_NVSP_MSG1_SEND_NDIS_VER = 100,       /* NVSP_VERSION_MSG_START */
    NETVSC_NVSP_MSG1_SEND_RECV_BUF = 101,
    NETVSC_NVSP_MSG1_SEND_RECV_BUF_COMPLETE = 102,
    NETVSC_NVSP_MSG1_REVOKE_RECV_BUF = 103,
    NETVSC_NVSP_MSG1_SEND_SEND_BUF = 104,
    NETVSC_NVSP_MSG1_SEND_SEND_BUF_COMPLETE = 105,
    NETVSC_NVSP_MSG1_REVOKE_SEND_BUF = 106,
    NETVSC_NVSP_MSG1_SEND_RNDIS_PKT = 107,
    NETVSC_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE = 108,
    NETVSC_NVSP_MSG2_SEND_NDIS_CONFIG = 125,
};

enum netvsc_nvsp_status {
    NETVSC_NVSP_STAT_NONE = 0,
    NETVSC_NVSP_STAT_SUCCESS = 1,
    NETVSC_NVSP_STAT_FAIL = 2,
    NETVSC_NVSP_STAT_PROTOCOL_TOO_NEW = 3,
    NETVSC_NVSP_STAT_PROTOCOL_TOO_OLD = 4,
    NETVSC_NVSP_STAT_INVALID_RNDIS_PKT = 5,
    NETVSC_NVSP_STAT_BUSY = 6,
    NETVSC_NVSP_STAT_PROTOCOL_UNSUPPORTED = 7,
};

/* send_rndis_pkt.channel_type */
#define NETVSC_RNDIS_CHANNEL_DATA 0u    /* RMC_DATA */
#define NETVSC_RNDIS_CHANNEL_CONTROL 1u /* RMC_CONTROL */

/* send_rndis_pkt.send_buf_section_index when the send buffer is unused. */
#define NETVSC_NO_SECTION 0xFFFFFFFFu

/* nvsp_2_vsc_capability bits (a u64 bitfield, LSB first). */
#define NETVSC_CAP_VMQ (1ull << 0)
#define NETVSC_CAP_CHIMNEY (1ull << 1)
#define NETVSC_CAP_SRIOV (1ull << 2)
#define NETVSC_CAP_IEEE8021Q (1ull << 3)
#define NETVSC_CAP_CORRELATION_ID (1ull << 4)
#define NETVSC_CAP_TEAMING (1ull << 5)
#define NETVSC_CAP_VSUBNETID (1ull << 6)
#define NETVSC_CAP_RSC (1ull << 7)

/* NDIS versions announced in SEND_NDIS_VER (major << 16 | minor). */
#define NETVSC_NDIS_VERSION_6_1 0x00060001u
#define NETVSC_NDIS_VERSION_6_30 0x0006001eu

/* ------------------------------------------------------------------ */
/* NVSP wire structs (struct nvsp_* in hyperv_net.h). */

struct netvsc_nvsp_hdr {
    netvsc_le32 msg_type;
};

struct netvsc_nvsp_init {
    netvsc_le32 min_protocol_ver;
    netvsc_le32 max_protocol_ver;
};

struct netvsc_nvsp_init_complete {
    netvsc_le32 negotiated_protocol_ver;
    netvsc_le32 max_mdl_chain_len;
    netvsc_le32 status;
};

struct netvsc_nvsp1_send_ndis_ver {
    netvsc_le32 ndis_major_ver;
    netvsc_le32 ndis_minor_ver;
};

struct netvsc_nvsp1_send_recv_buf {
    netvsc_le32 gpadl_handle;
    netvsc_le16 id;
};

struct netvsc_nvsp1_recv_buf_section {
    netvsc_le32 offset;
    netvsc_le32 sub_alloc_size;
    netvsc_le32 num_sub_allocs;
    netvsc_le32 end_offset;
};

struct netvsc_nvsp1_send_recv_buf_complete {
    netvsc_le32 status;
    netvsc_le32 num_sections;
    struct netvsc_nvsp1_recv_buf_section sections[1];
};

struct netvsc_nvsp1_send_send_buf {
    netvsc_le32 gpadl_handle;
    netvsc_le16 id;
};

struct netvsc_nvsp1_send_send_buf_complete {
    netvsc_le32 status;
    netvsc_le32 section_size;
};

struct netvsc_nvsp1_send_rndis_pkt {
    netvsc_le32 channel_type;
    netvsc_le32 send_buf_section_index;
    netvsc_le32 send_buf_section_size;
};

struct netvsc_nvsp1_send_rndis_pkt_complete {
    netvsc_le32 status;
};

struct netvsc_nvsp2_send_ndis_config {
    netvsc_le32 mtu;
    netvsc_le32 reserved;
    netvsc_le64 capability;         /* NETVSC_CAP_* */
};

/* struct nvsp_message: the header and the union of all message bodies.
 * The union's largest member (nvsp_6_pd_api_comp) is 36 bytes. */
#define NETVSC_NVSP_BODY_SIZE 36
struct netvsc_nvsp_msg {
    struct netvsc_nvsp_hdr hdr;
    uint8_t body[NETVSC_NVSP_BODY_SIZE];
};

/* The receive completion Linux sends: header + status only. */
#define NETVSC_NVSP_RNDIS_COMPLETE_SIZE 8

_Static_assert(sizeof(struct netvsc_nvsp_hdr) == 4, "nvsp_message_header");
_Static_assert(sizeof(struct netvsc_nvsp_init) == 8, "nvsp_message_init");
_Static_assert(sizeof(struct netvsc_nvsp_init_complete) == 12,
               "nvsp_message_init_complete");
_Static_assert(sizeof(struct netvsc_nvsp1_send_ndis_ver) == 8,
               "nvsp_1_message_send_ndis_version");
_Static_assert(sizeof(struct netvsc_nvsp1_send_recv_buf) == 6,
               "nvsp_1_message_send_receive_buffer");
_Static_assert(sizeof(struct netvsc_nvsp1_recv_buf_section) == 16,
               "nvsp_1_receive_buffer_section");
_Static_assert(sizeof(struct netvsc_nvsp1_send_recv_buf_complete) == 24,
               "nvsp_1_message_send_receive_buffer_complete");
_Static_assert(sizeof(struct netvsc_nvsp1_send_send_buf) == 6,
               "nvsp_1_message_send_send_buffer");
_Static_assert(sizeof(struct netvsc_nvsp1_send_send_buf_complete) == 8,
               "nvsp_1_message_send_send_buffer_complete");
_Static_assert(sizeof(struct netvsc_nvsp1_send_rndis_pkt) == 12,
               "nvsp_1_message_send_rndis_packet");
_Static_assert(sizeof(struct netvsc_nvsp1_send_rndis_pkt_complete) == 4,
               "nvsp_1_message_send_rndis_packet_complete");
_Static_assert(sizeof(struct netvsc_nvsp2_send_ndis_config) == 16,
               "nvsp_2_send_ndis_config");
_Static_assert(sizeof(struct netvsc_nvsp_msg) == 40, "nvsp_message");

/* ------------------------------------------------------------------ */
/* RNDIS: message types, statuses, OIDs. */

enum netvsc_rndis_type {
    NETVSC_RNDIS_MSG_PACKET = 0x00000001u,
    NETVSC_RNDIS_MSG_INIT = 0x00000002u,
    NETVSC_RNDIS_MSG_HALT = 0x00000003u,
    NETVSC_RNDIS_MSG_QUERY = 0x00000004u,
    NETVSC_RNDIS_MSG_SET = 0x00000005u,
    NETVSC_RNDIS_MSG_RESET = 0x00000006u,
    NETVSC_RNDIS_MSG_INDICATE = 0x00000007u,
    NETVSC_RNDIS_MSG_KEEPALIVE = 0x00000008u,
    NETVSC_RNDIS_MSG_INIT_C = 0x80000002u,
    NETVSC_RNDIS_MSG_QUERY_C = 0x80000004u,
    NETVSC_RNDIS_MSG_SET_C = 0x80000005u,
    NETVSC_RNDIS_MSG_RESET_C = 0x80000006u,
    NETVSC_RNDIS_MSG_KEEPALIVE_C = 0x80000008u,
};

#define NETVSC_RNDIS_STATUS_SUCCESS 0x00000000u
#define NETVSC_RNDIS_STATUS_FAILURE 0xC0000001u
#define NETVSC_RNDIS_STATUS_INVALID_DATA 0xC0010015u
#define NETVSC_RNDIS_STATUS_NOT_SUPPORTED 0xC00000BBu

#define NETVSC_RNDIS_MAJOR_VERSION 1u
#define NETVSC_RNDIS_MINOR_VERSION 0u
#define NETVSC_RNDIS_DF_CONNECTIONLESS 0x00000001u
#define NETVSC_RNDIS_MEDIUM_802_3 0x00000000u
/* The max_xfer_size a Linux guest announces in RNDIS INITIALIZE. */
#define NETVSC_RNDIS_INIT_MAX_XFER 0x4000u

#define NETVSC_OID_GEN_CURRENT_PACKET_FILTER 0x0001010Eu
#define NETVSC_OID_TCP_OFFLOAD_PARAMETERS 0xFC01020Cu

#define NETVSC_NDIS_PACKET_TYPE_DIRECTED 0x00000001u
#define NETVSC_NDIS_PACKET_TYPE_MULTICAST 0x00000002u
#define NETVSC_NDIS_PACKET_TYPE_ALL_MULTICAST 0x00000004u
#define NETVSC_NDIS_PACKET_TYPE_BROADCAST 0x00000008u
#define NETVSC_NDIS_PACKET_TYPE_PROMISCUOUS 0x00000020u

/* NDIS object header and offload parameter values. */
#define NETVSC_NDIS_OBJECT_TYPE_DEFAULT 0x80u
#define NETVSC_NDIS_OFFLOAD_PARAMETERS_REVISION_3 3u
#define NETVSC_NDIS_OFFLOAD_NO_CHANGE 0u
#define NETVSC_NDIS_OFFLOAD_LSOV2_DISABLED 1u
#define NETVSC_NDIS_OFFLOAD_LSOV2_ENABLED 2u
#define NETVSC_NDIS_OFFLOAD_TX_RX_DISABLED 1u
#define NETVSC_NDIS_OFFLOAD_TX_ENABLED_RX_DISABLED 2u
#define NETVSC_NDIS_OFFLOAD_RX_ENABLED_TX_DISABLED 3u
#define NETVSC_NDIS_OFFLOAD_TX_RX_ENABLED 4u
/* Bytes of ndis_offload_params sent to a host at NVSP 4 or older. */
#define NETVSC_VERSION_4_OFFLOAD_SIZE 22u

/* PPI types (enum ndis_per_pkt_info_type). */
enum netvsc_ppi_type {
    NETVSC_PPI_TCPIP_CHKSUM = 0,
    NETVSC_PPI_IPSEC = 1,
    NETVSC_PPI_TCP_LARGESEND = 2,
    NETVSC_PPI_CLASSIFICATION_HANDLE = 3,
    NETVSC_PPI_SG_LIST = 5,
    NETVSC_PPI_IEEE_8021Q = 6,
    NETVSC_PPI_ORIGINAL = 7,
    NETVSC_PPI_NBL_HASH_VALUE = 8,
};

/* ------------------------------------------------------------------ */
/* RNDIS wire structs (struct rndis_* in hyperv_net.h).  Every RNDIS
 * message starts with the 8-byte header; offsets inside a message body
 * (data_offset, per_pkt_info_offset, info_buf_offset) count from the end
 * of that header, i.e. from the body's first field. */

struct netvsc_rndis_hdr {
    netvsc_le32 msg_type;
    netvsc_le32 msg_len;            /* header included */
};

struct netvsc_rndis_packet {
    netvsc_le32 data_offset;
    netvsc_le32 data_len;
    netvsc_le32 oob_data_offset;
    netvsc_le32 oob_data_len;
    netvsc_le32 num_oob_data_elements;
    netvsc_le32 per_pkt_info_offset;
    netvsc_le32 per_pkt_info_len;
    netvsc_le32 vc_handle;
    netvsc_le32 reserved;
};

/* A PPI record: 'type' holds type:31 and internal:1 (bit 31); the value
 * starts 'ppi_offset' bytes after the record's start. */
struct netvsc_rndis_ppi {
    netvsc_le32 size;
    netvsc_le32 type;
    netvsc_le32 ppi_offset;
};

struct netvsc_rndis_init_req {
    netvsc_le32 req_id;
    netvsc_le32 major_ver;
    netvsc_le32 minor_ver;
    netvsc_le32 max_xfer_size;
};

struct netvsc_rndis_init_complete {
    netvsc_le32 req_id;
    netvsc_le32 status;
    netvsc_le32 major_ver;
    netvsc_le32 minor_ver;
    netvsc_le32 dev_flags;
    netvsc_le32 medium;
    netvsc_le32 max_pkt_per_msg;
    netvsc_le32 max_xfer_size;
    netvsc_le32 pkt_alignment_factor;   /* alignment = 1 << factor */
    netvsc_le32 af_list_offset;
    netvsc_le32 af_list_size;
};

struct netvsc_rndis_query_req {
    netvsc_le32 req_id;
    netvsc_le32 oid;
    netvsc_le32 info_buflen;
    netvsc_le32 info_buf_offset;
    netvsc_le32 dev_vc_handle;
};

struct netvsc_rndis_query_complete {
    netvsc_le32 req_id;
    netvsc_le32 status;
    netvsc_le32 info_buflen;
    netvsc_le32 info_buf_offset;
};

struct netvsc_rndis_set_req {
    netvsc_le32 req_id;
    netvsc_le32 oid;
    netvsc_le32 info_buflen;
    netvsc_le32 info_buf_offset;    /* = sizeof(rndis_set_request) */
    netvsc_le32 dev_vc_handle;
};

struct netvsc_rndis_set_complete {
    netvsc_le32 req_id;
    netvsc_le32 status;
};

struct netvsc_rndis_keepalive_req {
    netvsc_le32 req_id;
};

struct netvsc_ndis_object_header {
    uint8_t type;
    uint8_t revision;
    netvsc_le16 size;
};

struct netvsc_ndis_offload_params {
    struct netvsc_ndis_object_header header;
    uint8_t ip_v4_csum;
    uint8_t tcp_ip_v4_csum;
    uint8_t udp_ip_v4_csum;
    uint8_t tcp_ip_v6_csum;
    uint8_t udp_ip_v6_csum;
    uint8_t lso_v1;
    uint8_t ip_sec_v1;
    uint8_t lso_v2_ipv4;
    uint8_t lso_v2_ipv6;
    uint8_t tcp_connection_ip_v4;
    uint8_t tcp_connection_ip_v6;
    uint8_t pad0;                   /* natural alignment of 'flags' */
    netvsc_le32 flags;
    uint8_t ip_sec_v2;
    uint8_t ip_sec_v2_ip_v4;
    uint8_t rsc_ip_v4;
    uint8_t rsc_ip_v6;
    uint8_t encapsulated_packet_task_offload;
    uint8_t encapsulation_types;
    uint8_t pad1[2];                /* tail padding to 4-byte alignment */
};

_Static_assert(sizeof(struct netvsc_rndis_hdr) == 8, "rndis header");
_Static_assert(sizeof(struct netvsc_rndis_packet) == 36, "rndis_packet");
_Static_assert(sizeof(struct netvsc_rndis_ppi) == 12, "rndis_per_packet_info");
_Static_assert(sizeof(struct netvsc_rndis_init_req) == 16,
               "rndis_initialize_request");
_Static_assert(sizeof(struct netvsc_rndis_init_complete) == 44,
               "rndis_initialize_complete");
_Static_assert(sizeof(struct netvsc_rndis_query_req) == 20,
               "rndis_query_request");
_Static_assert(sizeof(struct netvsc_rndis_query_complete) == 16,
               "rndis_query_complete");
_Static_assert(sizeof(struct netvsc_rndis_set_req) == 20, "rndis_set_request");
_Static_assert(sizeof(struct netvsc_rndis_set_complete) == 8,
               "rndis_set_complete");
_Static_assert(sizeof(struct netvsc_rndis_keepalive_req) == 4,
               "rndis_keepalive_request");
_Static_assert(sizeof(struct netvsc_ndis_object_header) == 4,
               "ndis_object_header");
_Static_assert(sizeof(struct netvsc_ndis_offload_params) == 28,
               "ndis_offload_params");
_Static_assert(offsetof(struct netvsc_ndis_offload_params, flags) == 16,
               "ndis_offload_params.flags");
_Static_assert(offsetof(struct netvsc_ndis_offload_params, rsc_ip_v4) == 22,
               "ndis_offload_params.rsc");

/* Sizes derived from the structs. */
#define NETVSC_RNDIS_PKT_HDR_SIZE                                       \
    (sizeof(struct netvsc_rndis_hdr) + sizeof(struct netvsc_rndis_packet))
#define NETVSC_PPI_SIZE (sizeof(struct netvsc_rndis_ppi) + 4)   /* 16 */
/* The most PPIs a data message carries here (VLAN, checksum or LSO,
 * hash) and the largest data-message header, rounded up. */
#define NETVSC_RNDIS_DATA_HDR_MAX 128u

_Static_assert(NETVSC_RNDIS_PKT_HDR_SIZE == 44, "RNDIS_MESSAGE_SIZE(packet)");
_Static_assert(NETVSC_RNDIS_PKT_HDR_SIZE + 4 * NETVSC_PPI_SIZE
               <= NETVSC_RNDIS_DATA_HDR_MAX, "data header max");

/* ------------------------------------------------------------------ */
/* PPI values.  Each is one u32 bitfield, LSB first. */

/* ndis_pkt_8021q_info: pri:3, cfi:1, vlanid:12. */
static inline uint32_t
netvsc_ppi_vlan_encode(uint16_t vid, uint8_t pri, bool cfi)
{
    return (uint32_t) (pri & 7u) | (cfi ? 1u << 3 : 0u)
           | (uint32_t) (vid & 0xFFFu) << 4;
}

/* ndis_tcp_ip_checksum_info, transmit: is_ipv4:1, is_ipv6:1,
 * tcp_checksum:1, udp_checksum:1, ip_header_checksum:1, reserved:11,
 * tcp_header_offset:10. */
#define NETVSC_CSUM_TX_IS_IPV4 (1u << 0)
#define NETVSC_CSUM_TX_IS_IPV6 (1u << 1)
#define NETVSC_CSUM_TX_TCP (1u << 2)
#define NETVSC_CSUM_TX_UDP (1u << 3)
#define NETVSC_CSUM_TX_IP_HEADER (1u << 4)
#define NETVSC_CSUM_TX_TCP_HDR_OFS_SHIFT 16

/* ndis_tcp_ip_checksum_info, receive: tcp_failed, udp_failed, ip_failed,
 * tcp_succeeded, udp_succeeded, ip_succeeded (bits 0..5). */
#define NETVSC_CSUM_RX_TCP_FAILED (1u << 0)
#define NETVSC_CSUM_RX_UDP_FAILED (1u << 1)
#define NETVSC_CSUM_RX_IP_FAILED (1u << 2)
#define NETVSC_CSUM_RX_TCP_SUCCEEDED (1u << 3)
#define NETVSC_CSUM_RX_UDP_SUCCEEDED (1u << 4)
#define NETVSC_CSUM_RX_IP_SUCCEEDED (1u << 5)

/* ndis_tcp_lso_info, LSOv1/LSOv2 transmit: mss:20, tcp_header_offset:10,
 * type:1 (0 = LSOv1, 1 = LSOv2), ip_version:1 (LSOv2: 0 IPv4, 1 IPv6). */
#define NETVSC_LSO_MSS_MASK 0xFFFFFu
#define NETVSC_LSO_TCP_HDR_OFS_SHIFT 20
#define NETVSC_LSO_TYPE_V2 (1u << 30)
#define NETVSC_LSO_IPV6 (1u << 31)

/* ------------------------------------------------------------------ */
/* Data messages, shared by both ends (netvsc-wire.c). */

/* Which way a data message goes: the PPIs differ (checksum requests and
 * LSO toward the host, checksum results and the hash toward the guest). */
enum netvsc_dir { NETVSC_DIR_TO_HOST, NETVSC_DIR_TO_GUEST };

/* Writes the RNDIS packet header of frame 'pkt' (the 8-byte header, the
 * rndis_packet body and the PPIs its out-of-band metadata needs in
 * direction 'dir') to 'out' (at least NETVSC_RNDIS_DATA_HDR_MAX bytes).
 * msg_len covers the header, the frame and 'pad' trailing bytes.  Returns
 * the header length; the frame follows it directly. */
uint32_t netvsc_rndis_data_header(uint8_t *out, const struct vsw_pkt *pkt,
                                  enum netvsc_dir dir, uint32_t pad);

/* Why a data message did not parse (counted by both ends). */
enum netvsc_rndis_error {
    NETVSC_RNDIS_OK = 0,
    NETVSC_RNDIS_ERR_SHORT,         /* fewer bytes than a header or msg_len */
    NETVSC_RNDIS_ERR_TYPE,          /* not REMOTE_NDIS_PACKET_MSG */
    NETVSC_RNDIS_ERR_LENGTH,        /* msg_len below the packet header */
    NETVSC_RNDIS_ERR_DATA,          /* data outside the message or empty */
    NETVSC_RNDIS_ERR_PPI,           /* a PPI area or record out of bounds */
};

/* A parsed data message: where the frame is, its metadata. */
struct netvsc_rndis_data {
    uint32_t msg_len;               /* bytes to the next message */
    uint32_t data_ofs;              /* frame offset from the message start */
    uint32_t data_len;
    struct vsw_pkt_oob oob;         /* from the PPIs (zero otherwise) */
    uint32_t n_ppi;                 /* PPI records seen */
    uint32_t n_ppi_unknown;         /* of which not understood (skipped) */
};

/* Parses the data message at 'msg' ('avail' bytes available) read in
 * direction 'dir'.  Validates every length and offset before using it.
 * Returns NETVSC_RNDIS_OK and fills '*out', or the reason. */
enum netvsc_rndis_error netvsc_rndis_parse_data(const uint8_t *msg,
                                                uint32_t avail,
                                                enum netvsc_dir dir,
                                                struct netvsc_rndis_data *out);

/* Writes an NVSP message: type 'type' and 'body_len' bytes of 'body'
 * into the 40-byte 'out' (zero-filled). */
void netvsc_nvsp_encode(uint8_t out[sizeof(struct netvsc_nvsp_msg)],
                        uint32_t type, const void *body, size_t body_len);

#endif /* VNETSIM_MODELS_NETVSC_WIRE_H */
