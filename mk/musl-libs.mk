# Static musl builds of the daemon's two libraries, from the Debian sources in $(CACHE):
#
#   $(OUT)/musl/lib/libjson-c.a     json-c 0.16, built by its own cmake with CC=musl-gcc
#   $(OUT)/musl/lib/libxenstore.a   libxenstore (xs.c + xs_lib.c + toolcore's handlereg.c),
#                                   -DUSE_PTHREAD: without it xs_fileno() is never signalled
#                                   and xs_read_watch() reads the socket itself
#   $(OUT)/musl/include             json-c/*.h, xenstore.h, xenstore_lib.h, xen/io/xs_wire.h
#
# Also, for the host unit tests and the fuzzer (glibc, same json-c version as the daemon):
#   $(OUT)/host/json-c/{include,lib/libjson-c.a}
#
# No generated headers: xen's tools build would symlink tools/include/xen to the public
# headers; instead the five public headers that xenstore_lib.h and xentoolcore.h reach
# (xen.h, xen-compat.h, arch-x86/xen{,-x86_32,-x86_64}.h, io/xs_wire.h) are copied into a
# private include dir. No <linux/...> header is needed by these files.

ML_DIR     := $(OUT)/musl
ML_LIB     := $(ML_DIR)/lib
ML_INC     := $(ML_DIR)/include
ML_BUILD   := $(ML_DIR)/build
ML_JSONC   := $(ML_LIB)/libjson-c.a
ML_XS      := $(ML_LIB)/libxenstore.a
ML_XEN     := $(CACHE)/xen
ML_PUB     := $(ML_XEN)/xen/include/public
ML_XS_PRIV := $(ML_BUILD)/xenstore-include

HOST_JSONC_DIR := $(OUT)/host/json-c
HOST_JSONC     := $(HOST_JSONC_DIR)/lib/libjson-c.a

# json-c's cmake: static only, no libbsd, no apps/tests/docs; warnings are not ours to fix.
JSONC_CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON \
	-DDISABLE_EXTRA_LIBS=ON -DDISABLE_WERROR=ON -DBUILD_TESTING=OFF -DBUILD_APPS=OFF \
	-DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_POSITION_INDEPENDENT_CODE=OFF

# xen's tools flags (Config.mk, tools/Rules.mk) minus -Werror: upstream code.
ML_XS_CFLAGS := -Os -std=gnu99 -fno-strict-aliasing -Wall -Wno-unused-but-set-variable \
	-D__XEN_TOOLS__ -DUSE_PTHREAD -DXEN_RUN_STORED='"/var/run/xenstored"' \
	-I$(ML_XS_PRIV) -I$(ML_XEN)/tools/include -I$(ML_XEN)/tools/xenstore
ML_XS_SRCS := $(ML_XEN)/tools/libs/store/xs.c $(ML_XEN)/tools/xenstore/xs_lib.c \
	$(ML_XEN)/tools/libs/toolcore/handlereg.c
ML_XS_OBJS := $(addprefix $(ML_BUILD)/xenstore/,xs.o xs_lib.o handlereg.o)
ML_XS_PUBHDRS := xen.h xen-compat.h arch-x86/xen.h arch-x86/xen-x86_32.h \
	arch-x86/xen-x86_64.h io/xs_wire.h

.PHONY: musl-libs host-json-c
musl-libs: $(ML_JSONC) $(ML_XS)
host-json-c: $(HOST_JSONC)

# configure + build + install in one rule so a no-op rebuild is a single stat.
$(ML_JSONC): $(CACHE)/json-c/.unpacked
	rm -rf $(ML_BUILD)/json-c
	cmake -S $(CACHE)/json-c -B $(ML_BUILD)/json-c -DCMAKE_C_COMPILER=musl-gcc \
		-DCMAKE_INSTALL_PREFIX=$(abspath $(ML_DIR)) $(JSONC_CMAKE_FLAGS) >/dev/null
	cmake --build $(ML_BUILD)/json-c --target json-c -j$(JOBS)
	cmake --install $(ML_BUILD)/json-c >/dev/null
	touch $@

$(HOST_JSONC): $(CACHE)/json-c/.unpacked
	rm -rf $(OUT)/host/build-json-c
	cmake -S $(CACHE)/json-c -B $(OUT)/host/build-json-c -DCMAKE_C_COMPILER=gcc \
		-DCMAKE_C_FLAGS=-g -DCMAKE_INSTALL_PREFIX=$(abspath $(HOST_JSONC_DIR)) \
		$(JSONC_CMAKE_FLAGS) >/dev/null
	cmake --build $(OUT)/host/build-json-c --target json-c -j$(JOBS)
	cmake --install $(OUT)/host/build-json-c >/dev/null
	touch $@

$(ML_XS_PRIV)/.done: $(ML_XEN)/.unpacked
	rm -rf $(ML_XS_PRIV)
	set -e; for h in $(ML_XS_PUBHDRS); do \
		mkdir -p $(ML_XS_PRIV)/xen/$$(dirname $$h); cp $(ML_PUB)/$$h $(ML_XS_PRIV)/xen/$$h; \
	done
	touch $@

$(ML_BUILD)/xenstore/%.o: $(ML_XS_PRIV)/.done
	@mkdir -p $(@D)
	musl-gcc $(ML_XS_CFLAGS) -c $(filter %/$*.c,$(ML_XS_SRCS)) -o $@

$(ML_XS): $(ML_XS_OBJS)
	@mkdir -p $(ML_LIB) $(ML_INC)/xen/io
	rm -f $@
	ar rcsD $@ $(ML_XS_OBJS)
	cp $(ML_XEN)/tools/include/xenstore.h $(ML_XEN)/tools/include/xenstore_lib.h $(ML_INC)/
	cp $(ML_XS_PRIV)/xen/io/xs_wire.h $(ML_INC)/xen/io/
