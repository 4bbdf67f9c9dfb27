# The guest kernel: Linux 6.1 (Debian's linux-source-6.1) as a Xen PV and PVH guest, from
# `make tinyconfig` + kernel-config/xen-pv.config, with kernel-config/*.patch applied.
#
#   make kernel                 out/kernel/bzImage and out/kernel/config
#   make check-kernel-config    the fragment holds and the patches are checkpatch --strict clean
#
# cache/src/linux is never modified: the patches go into a hard-linked copy (see
# kernel-config/prepare-tree.sh) built out of tree.  Every step is behind a real file,
# so a make with nothing to do does not run the kernel's build system at all.

KERNEL_SRC      := $(CACHE)/linux
KERNEL_OUT      := $(OUT)/kernel
KERNEL_TREE     := $(KERNEL_OUT)/src
KERNEL_BUILD    := $(KERNEL_OUT)/build
KERNEL_FRAGMENT := kernel-config/xen-pv.config
KERNEL_PATCHES  := $(sort $(wildcard kernel-config/*.patch))
KERNEL_CONFIG   := $(KERNEL_OUT)/config
KERNEL_IMAGE    := $(KERNEL_OUT)/bzImage
KERNEL_TREE_STAMP := $(KERNEL_OUT)/.stamp-tree

# Reproducible: the build date comes from SOURCE_DATE_EPOCH, user and host are fixed.
KERNEL_TIMESTAMP = $(shell date -u -d @$(SOURCE_DATE_EPOCH) '+%Y-%m-%d %H:%M:%S UTC')
# Use the caller's jobserver when make runs with -j, else JOBS jobs.
KERNEL_JOBS = $(if $(filter -j% --jobserver%,$(MAKEFLAGS)),,-j$(JOBS))
KERNEL_MAKE = $(MAKE) -C $(KERNEL_TREE) O=$(abspath $(KERNEL_BUILD)) ARCH=x86_64 \
	KBUILD_BUILD_TIMESTAMP='$(KERNEL_TIMESTAMP)' KBUILD_BUILD_USER=xen-test-vm \
	KBUILD_BUILD_HOST=xen-test-vm KBUILD_BUILD_VERSION=1

.PHONY: kernel check-kernel-config
kernel: $(KERNEL_IMAGE) $(KERNEL_CONFIG)

# The names of the patches, rewritten only when they change, so that removing a patch (which
# leaves no newer file behind) also prepares the tree again.
KERNEL_PATCH_LIST := $(KERNEL_OUT)/patches.list
.PHONY: kernel-patch-list
kernel-patch-list:
	@mkdir -p $(KERNEL_OUT)
	@echo '$(notdir $(KERNEL_PATCHES))' | cmp -s - $(KERNEL_PATCH_LIST) || \
		echo '$(notdir $(KERNEL_PATCHES))' >$(KERNEL_PATCH_LIST)
$(KERNEL_PATCH_LIST): kernel-patch-list

$(KERNEL_TREE_STAMP): $(CACHE)/linux/.unpacked $(KERNEL_PATCHES) $(KERNEL_PATCH_LIST) \
		kernel-config/prepare-tree.sh
	@mkdir -p $(@D)
	kernel-config/prepare-tree.sh $(KERNEL_SRC) $(KERNEL_TREE) $(KERNEL_PATCHES)
	touch $@

# tinyconfig, then the fragment merged in allnoconfig mode (anything not asked for stays
# off), then a check that every option of the fragment stuck.
$(KERNEL_CONFIG): $(KERNEL_TREE_STAMP) $(KERNEL_FRAGMENT) kernel-config/check-config.sh
	@mkdir -p $(KERNEL_BUILD)
	+$(KERNEL_MAKE) -s tinyconfig >/dev/null
	cd $(KERNEL_BUILD) && ARCH=x86_64 $(abspath $(KERNEL_TREE))/scripts/kconfig/merge_config.sh \
		-n -m -O . .config $(abspath $(KERNEL_FRAGMENT)) >/dev/null
	mv $(KERNEL_BUILD)/.config $(KERNEL_BUILD)/xen-test-vm.allconfig
	+$(KERNEL_MAKE) -s KCONFIG_ALLCONFIG=$(abspath $(KERNEL_BUILD))/xen-test-vm.allconfig allnoconfig
	kernel-config/check-config.sh $(KERNEL_FRAGMENT) $(KERNEL_BUILD)/.config
	cp $(KERNEL_BUILD)/.config $@

$(KERNEL_IMAGE): $(KERNEL_CONFIG)
	+$(KERNEL_MAKE) $(KERNEL_JOBS) bzImage
	@# kbuild must have built exactly the configuration that was checked.
	cmp $(KERNEL_BUILD)/.config $(KERNEL_CONFIG)
	kernel-config/check-image.sh $(KERNEL_BUILD)/arch/x86/boot/bzImage
	cp $(KERNEL_BUILD)/arch/x86/boot/bzImage $@

# Debian's source has no git history, so checkpatch cannot look up the commit a Fixes:
# tag names (UNKNOWN_COMMIT_ID); every other check stays on.
check-kernel-config: $(KERNEL_CONFIG) $(KERNEL_TREE_STAMP)
	kernel-config/check-config.sh $(KERNEL_FRAGMENT) $(KERNEL_CONFIG)
	@for patch in $(KERNEL_PATCHES); do \
		echo "checkpatch --strict $$patch"; \
		(cd $(KERNEL_TREE) && ./scripts/checkpatch.pl --strict -q --ignore UNKNOWN_COMMIT_ID \
			$(CURDIR)/$$patch) || exit 1; \
	done

check: check-kernel-config
