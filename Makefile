# xen-test-vm: a Linux PV and PVH guest for testing a Xen toolstack's shutdown/suspend handling.
#
#   make          build the kernel, the daemon, init and the initrds into out/
#   make check    host tests (unit + daemon against a real xenstored) and the Xen lab matrix
#   make demo     build everything, boot Xen in QEMU and show the VM obeying xenstore
#
# Everything is built from Debian sources fetched by apt into cache/ (never committed).

OUT   ?= out
CACHE ?= cache/src
JOBS  ?= $(shell nproc)

# Reproducible output: fixed timestamps in the kernel and the cpio archives.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
export SOURCE_DATE_EPOCH

.PHONY: all deps sources image check demo clean distclean
.DEFAULT_GOAL := all

all: image

# Packages (added only when missing) and the unpacked Debian sources, each behind a stamp.
DEPS_STAMP := $(OUT)/.stamp-deps
$(DEPS_STAMP): scripts/setup-deps.sh
	scripts/setup-deps.sh build check lab
	@mkdir -p $(@D) && touch $@
deps: $(DEPS_STAMP)

$(CACHE)/%/.unpacked: | $(DEPS_STAMP)
	CACHE=$(CACHE) scripts/fetch-sources.sh $*
sources: $(CACHE)/json-c/.unpacked $(CACHE)/xen/.unpacked $(CACHE)/linux/.unpacked

# The test suites, cheapest first; each mk/*.mk fragment defines its own target. This is the
# CI gate, ending with the Xen lab's fast matrix (real Xen in QEMU, PV and PVH side by side).
check: check-unit check-static check-init check-kernel-config check-install fuzz-smoke \
	check-host check-image check-lab

include $(sort $(wildcard mk/*.mk))

clean:
	rm -rf $(OUT)

distclean: clean
	rm -rf cache results
