# Debian's C xenstored (from the pinned xen source), built for the HOST with gcc, for the
# daemon's end-to-end host test (mk/check-host.mk). Test-only; never part of the image.
#
#   $(OUT)/host-xenstored/xenstored   run as: XENSTORED_RUNDIR=DIR xenstored -N -D [-T trace]
#                                     clients: XENSTORED_PATH=DIR/socket
#
# The xen tree is not configured, so instead of xen's Makefiles this uses a hand-written
# compile of Makefile.common's XENSTORED_OBJS (Linux) on a patched copy of tools/xenstore:
#  - tests/host/xenstored-no-xen.patch: with -D, create dom0's entry and the node database
#    without Xen (unpatched, the first request segfaults on the missing database);
#  - tests/host/config.h: the one configure result these files need (INCLUDE_ENDIAN_H);
#    HAVE_SYSTEMD stays undefined, so no sd_notify;
#  - xen's public headers copied under include/xen/, plus the two generated "foreign" headers
#    that xenctrl.h includes (made by xen's own mkheader.py, as tools/include/xen-foreign does);
#  - tests/host/xen-stubs.c instead of libxenctrl/libxenevtchn/libxengnttab: they fail with
#    ENOSYS like the real libraries without Xen, so no libxen-dev is needed and nothing can
#    reach a hypervisor.

HXS_XEN  := $(CACHE)/xen
HXS_DIR  := $(OUT)/host-xenstored
HXS_BIN  := $(HXS_DIR)/xenstored
HXS_SRC  := $(HXS_DIR)/src
HXS_INC  := $(HXS_DIR)/include
HXS_PUB  := $(HXS_XEN)/xen/include/public

# Makefile.common: XENSTORED_OBJS-y plus the CONFIG_Linux one.
HXS_OBJS := xenstored_core xenstored_watch xenstored_domain xenstored_transaction \
	xenstored_control xs_lib talloc utils tdb hashtable xenstored_posix

# xen's own flags for tools (Config.mk, tools/Rules.mk), minus -Werror: this is upstream code
# and a newer host gcc must not break the test build on a warning.
HXS_CFLAGS := -O2 -g -std=gnu99 -fno-strict-aliasing -Wall -Wstrict-prototypes \
	-Wno-unused-but-set-variable -Wno-unused-local-typedefs \
	-D__XEN_TOOLS__ -D__XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__ \
	-D_FILE_OFFSET_BITS=64 -D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE \
	-DXEN_RUN_STORED='"/var/run/xenstored"' \
	-include tests/host/config.h -I$(HXS_SRC)/include -I$(HXS_XEN)/tools/include -I$(HXS_INC)

.PHONY: host-xenstored
host-xenstored: $(HXS_BIN)

# A fresh, patched copy: the shared cache/src/xen stays pristine for the other builds.
$(HXS_SRC)/.patched: $(HXS_XEN)/.unpacked tests/host/xenstored-no-xen.patch
	rm -rf $(HXS_SRC)
	mkdir -p $(HXS_DIR)
	cp -R $(HXS_XEN)/tools/xenstore $(HXS_SRC)
	patch -s -p1 -d $(HXS_SRC) < tests/host/xenstored-no-xen.patch
	touch $@

$(HXS_INC)/.done: $(HXS_XEN)/.unpacked
	rm -rf $(HXS_INC)
	mkdir -p $(HXS_INC)/xen/foreign
	cp -R $(HXS_PUB)/. $(HXS_INC)/xen/
	set -e; cd $(HXS_INC)/xen/foreign; for a in x86_32 x86_64; do \
		python3 $(abspath $(HXS_XEN))/tools/include/xen-foreign/mkheader.py $$a $$a.h.tmp \
			$(abspath $(HXS_PUB))/arch-x86/xen-$$a.h $(abspath $(HXS_PUB))/arch-x86/xen.h \
			$(abspath $(HXS_PUB))/xen.h; \
		sed 's/(__align8__ \(uint64_t\))/(\1)/g' $$a.h.tmp > $$a.h; rm $$a.h.tmp; \
	done
	touch $@

$(HXS_DIR)/obj/%.o: $(HXS_SRC)/.patched $(HXS_INC)/.done tests/host/config.h
	@mkdir -p $(@D)
	gcc $(HXS_CFLAGS) -c $(HXS_SRC)/$*.c -o $@

# Our own file: held to the project's standard.
$(HXS_DIR)/obj/xen-stubs.o: tests/host/xen-stubs.c $(HXS_INC)/.done
	@mkdir -p $(@D)
	gcc -O2 -g -std=gnu11 -Wall -Wextra -Werror -D__XEN_TOOLS__ \
		-I$(HXS_XEN)/tools/include -I$(HXS_INC) -c $< -o $@

$(HXS_BIN): $(patsubst %,$(HXS_DIR)/obj/%.o,$(HXS_OBJS)) $(HXS_DIR)/obj/xen-stubs.o
	gcc -o $@ $^ -lrt
