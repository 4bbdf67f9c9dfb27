# The control daemon, static musl:   make daemon   -> $(OUT)/daemon/xtvd
# and its checks:                    make check-unit check-static
#
# check-unit: table-driven tests of daemon/protocol.c and tests of the executor (handler.c,
#             status.c) against a fake xenstore (tests/unit/), host gcc, ASan+UBSan,
#             linked with the host build of the same json-c ($(OUT)/host/json-c, mk/musl-libs.mk).
# check-static: readelf proves xtvd has no program interpreter and no NEEDED libraries.

XTVD_VERSION ?= 1.0
# mk/musl-libs.mk is included after this file, so name its outputs here (same paths).
XTVD_MUSL := $(OUT)/musl
XTVD_LIBS := $(XTVD_MUSL)/lib/libjson-c.a $(XTVD_MUSL)/lib/libxenstore.a
UNIT_JSONC := $(OUT)/host/json-c
XTVD_DIR  := $(OUT)/daemon
XTVD      := $(XTVD_DIR)/xtvd
XTVD_SRCS := main.c handler.c retry.c status.c protocol.c xenstore.c power.c log.c
XTVD_OBJS := $(addprefix $(XTVD_DIR)/obj/,$(XTVD_SRCS:.c=.o))
XTVD_CFLAGS := -std=c11 -D_GNU_SOURCE -Os -Wall -Wextra -Werror -ffunction-sections \
	-fdata-sections -ffile-prefix-map=$(CURDIR)=. -DXTV_VERSION='"$(XTVD_VERSION)"' \
	-I$(XTVD_MUSL)/include

.PHONY: daemon check-unit check-static
daemon: $(XTVD)

$(XTVD_DIR)/obj/%.o: daemon/%.c $(XTVD_LIBS)
	@mkdir -p $(@D)
	musl-gcc $(XTVD_CFLAGS) -MMD -MP -c $< -o $@

$(XTVD): $(XTVD_OBJS)
	musl-gcc -static -s -Wl,--gc-sections -o $@ $(XTVD_OBJS) -L$(XTVD_MUSL)/lib -lxenstore -ljson-c -lpthread

-include $(XTVD_OBJS:.o=.d)

# Unit tests: host build, sanitizers abort on the first error.
UNIT_DIR    := $(OUT)/unit
UNIT_BIN    := $(UNIT_DIR)/test_protocol
UNIT_CFLAGS := -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-I$(UNIT_JSONC)/include -iquote daemon

$(UNIT_BIN): tests/unit/test_protocol.c daemon/protocol.c daemon/protocol.h $(UNIT_JSONC)/lib/libjson-c.a
	@mkdir -p $(@D)
	gcc $(UNIT_CFLAGS) -o $@ tests/unit/test_protocol.c daemon/protocol.c \
		$(UNIT_JSONC)/lib/libjson-c.a

# The executor (handler.c, status.c) against an in-memory xenstore (tests/unit/fake_xenstore.c).
UNIT_HANDLER_BIN  := $(UNIT_DIR)/test_handler
UNIT_HANDLER_SRCS := tests/unit/test_handler.c tests/unit/fake_xenstore.c \
	$(addprefix daemon/,handler.c retry.c status.c protocol.c power.c log.c)

$(UNIT_HANDLER_BIN): $(UNIT_HANDLER_SRCS) tests/unit/fake_xenstore.h $(wildcard daemon/*.h) \
		$(UNIT_JSONC)/lib/libjson-c.a
	@mkdir -p $(@D)
	gcc $(UNIT_CFLAGS) -o $@ $(UNIT_HANDLER_SRCS) $(UNIT_JSONC)/lib/libjson-c.a

# Both binaries run (each prints TAP and "N passed, N failed"); either failing fails.
check-unit: $(UNIT_BIN) $(UNIT_HANDLER_BIN)
	@status=0; $(UNIT_BIN) || status=1; $(UNIT_HANDLER_BIN) || status=1; exit $$status

check-static: $(XTVD)
	@if readelf -lW $(XTVD) | grep -q INTERP; then echo "check-static: $(XTVD) has an INTERP header" >&2; exit 1; fi
	@if readelf -dW $(XTVD) | grep -q NEEDED; then echo "check-static: $(XTVD) needs shared libraries" >&2; exit 1; fi
	@readelf -hW $(XTVD) | grep -q 'Type:.*EXEC' || { echo "check-static: $(XTVD) is not an ELF executable" >&2; exit 1; }
	@echo "check-static: $(XTVD) is static (no INTERP, no NEEDED)"

check: check-unit check-static

# Optional: the same daemon for the host (glibc) under ASan+UBSan, libxenstore compiled in
# from source, so the end-to-end host tests can run it with sanitizers:
#   make daemon-asan  ->  $(OUT)/daemon/xtvd-asan   (same CLI as xtvd)
XTVD_ASAN := $(XTVD_DIR)/xtvd-asan
XTVD_ASAN_XS := $(CACHE)/xen/tools/libs/store/xs.c $(CACHE)/xen/tools/xenstore/xs_lib.c \
	$(CACHE)/xen/tools/libs/toolcore/handlereg.c
XTVD_ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

.PHONY: daemon-asan
daemon-asan: $(XTVD_ASAN)

# libxenstore: upstream code, gnu99 and without -Werror, as in mk/musl-libs.mk.
$(XTVD_ASAN): $(addprefix daemon/,$(XTVD_SRCS)) $(wildcard daemon/*.h) $(XTVD_LIBS) \
		$(UNIT_JSONC)/lib/libjson-c.a
	@mkdir -p $(XTVD_DIR)/asan
	set -e; for f in $(XTVD_ASAN_XS); do \
		gcc -std=gnu99 $(XTVD_ASAN_FLAGS) -D__XEN_TOOLS__ -DUSE_PTHREAD \
			-DXEN_RUN_STORED='"/var/run/xenstored"' -I$(XTVD_MUSL)/build/xenstore-include \
			-I$(CACHE)/xen/tools/include -I$(CACHE)/xen/tools/xenstore \
			-c $$f -o $(XTVD_DIR)/asan/$$(basename $$f .c).o; \
	done
	gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(XTVD_ASAN_FLAGS) \
		-DXTV_VERSION='"$(XTVD_VERSION)-asan"' -I$(UNIT_JSONC)/include -I$(XTVD_MUSL)/include \
		-o $@ $(addprefix daemon/,$(XTVD_SRCS)) $(XTVD_DIR)/asan/*.o \
		$(UNIT_JSONC)/lib/libjson-c.a -lpthread
