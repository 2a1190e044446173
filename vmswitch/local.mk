# vmswitch/local.mk -- libvmswitch, the real 802.1Q virtual switch, and its
# vswitch-replay tool.  libvmswitch depends on libc only: no sim/, no
# models/.  It is installed with its headers and libvmswitch.pc.

lib_LTLIBRARIES += libvmswitch.la
libvmswitch_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 -no-undefined
libvmswitch_la_LIBADD =
vmswitchincludedir = $(includedir)/vmswitch
vmswitchinclude_HEADERS =
pkgconfig_DATA += vmswitch/libvmswitch.pc
EXTRA_DIST += vmswitch/libvmswitch.pc.in

# -- frames: packet buffer, wire formats, parser, checksums, LSO --
libvmswitch_la_SOURCES =

# -- switch: objects, control plane, fdb, VLAN, ACL, QoS, extensions --
libvmswitch_la_SOURCES +=
