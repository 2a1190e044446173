# vmswitch/local.mk -- libvmswitch, the real 802.1Q virtual switch, and its
# vswitch-replay tool.  libvmswitch depends on libc only: no sim/, no
# models/.  It is installed with its headers and libvmswitch.pc.

lib_LTLIBRARIES += libvmswitch.la
libvmswitch_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 -no-undefined
libvmswitch_la_LIBADD =
vmswitchincludedir = $(includedir)/vmswitch
vmswitchinclude_HEADERS = vmswitch/alloc.h
pkgconfig_DATA += vmswitch/libvmswitch.pc
EXTRA_DIST += vmswitch/libvmswitch.pc.in

libvmswitch_la_SOURCES = vmswitch/alloc.c

# -- frames: packet buffer, wire formats, parser, checksums, LSO --
libvmswitch_la_SOURCES += vmswitch/packet.c vmswitch/parse.c vmswitch/csum.c \
	vmswitch/offload.c
vmswitchinclude_HEADERS += vmswitch/packet.h vmswitch/wire.h vmswitch/parse.h \
	vmswitch/csum.h vmswitch/offload.h

# -- switch: fdb (MAC learning), ACL, QoS token buckets --
libvmswitch_la_SOURCES += vmswitch/fdb.c vmswitch/acl.c vmswitch/qos.c
vmswitchinclude_HEADERS += vmswitch/fdb.h vmswitch/acl.h vmswitch/qos.h

# -- switch: objects, control plane, pipeline, VLAN, extensions --
libvmswitch_la_SOURCES += vmswitch/switch.c vmswitch/vlan.c vmswitch/policy.c \
	vmswitch/pipeline.c vmswitch/vswitch-private.h
vmswitchinclude_HEADERS += vmswitch/vswitch.h

# -- vswitch-replay: the switch on real captures (needs libpcap) --
if HAVE_PCAP
bin_PROGRAMS += vswitch-replay
vswitch_replay_SOURCES = vmswitch/replay.c
vswitch_replay_CPPFLAGS = $(AM_CPPFLAGS) $(PCAP_CFLAGS)
vswitch_replay_LDADD = libvmswitch.la $(PCAP_LIBS)
else
EXTRA_DIST += vmswitch/replay.c
endif
include vmswitch/rsc.mk
