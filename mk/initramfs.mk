# PID 1 and the boot image (kernel + initrds), see mkimage.sh.

MUSL_CC     ?= musl-gcc
INIT_CFLAGS := -std=c11 -Os -Wall -Wextra -Werror -static -s
INIT        := $(OUT)/init/init
GEN_CPIO    := $(OUT)/tools/gen_init_cpio
BUSYBOX     ?= /bin/busybox
IMAGE       := $(OUT)/image/vmlinuz $(OUT)/image/initrd.img $(OUT)/image/initrd-debug.img

.PHONY: init image

init: $(INIT)
$(INIT): initramfs/init.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(MUSL_CC) $(INIT_CFLAGS) -o $@ $<

# The kernel's own cpio writer: fixed order, fixed mtime (-t), no dependence on the host's files.
$(GEN_CPIO): $(CACHE)/linux/.unpacked
	@mkdir -p $(@D)
	$(CC) -O2 -o $@ $(CACHE)/linux/usr/gen_init_cpio.c

image: $(IMAGE)
$(IMAGE) &: mkimage.sh $(OUT)/kernel/bzImage $(INIT) $(OUT)/daemon/xtvd $(GEN_CPIO)
	./mkimage.sh -o $(OUT)/image $(OUT)/kernel/bzImage $(INIT) $(OUT)/daemon/xtvd \
		$(BUSYBOX) $(GEN_CPIO)

# PID 1 run for real as PID 1 of a new PID namespace, with a scripted stand-in daemon.
.PHONY: check-init
check: check-init
check-init: $(INIT)
	tests/init/run.sh $(INIT) $(BUSYBOX)

# The image as a toolstack gets it (tests/image/run.sh).
.PHONY: check-image
check-image: $(IMAGE)
	tests/image/run.sh $(OUT)/image $(INIT) $(OUT)/daemon/xtvd $(BUSYBOX) $(GEN_CPIO)
