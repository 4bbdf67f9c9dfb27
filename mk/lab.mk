# The Xen lab: real Xen 4.17 + a Debian dom0 in QEMU (TCG), the test VM as a PV and as a
# PVH domU, driven by xl and xenstore from a runner in dom0 (tests/lab/, docs/lab.md).
#
#   make demo              boot the lab and watch the VM obey a testing message
#   make check-lab         the fast scenario matrix, once per mode of LAB_MODES
#                          (results/lab/pv, results/lab/pvh: TAP, JUnit, console logs)
#   make check-lab-full    every scenario, once per mode
#   make check-lab-broken  the matrix against a daemon that never answers: must fail
#   make check-lab-hung    dom0's xenstored stops mid-run: the lab must end by itself, saying why
#   make lab-stub          bring-up: Debian's stock kernel + a busybox initrd as the domU
#   make lab-floor         find the smallest domU memory the VM works with, per mode
#   make lab-probe         builder layout + guest memblock log per PROBE_CASES (docs/kernel.md)
#   make lab-stress        dom0's tools in a loop next to booting VMs: is the CPU model clean?
#   make lab-deps          only fetch/build the dom0 pieces (cache/lab, out/lab)
#
# Variables: LAB_MODES (guest types, default "pv pvh": one QEMU session each),
# LAB_MODE_JOBS (modes run at the same time, default 2: each QEMU is one host core),
# LAB_MEM (domU MiB for every mode; default per mode, the measured floors: see
# tests/lab/run-lab.sh -m and docs/lab.md), LAB_ONLY="name ..." (a subset), LAB_TIMEOUT
# (bound on each QEMU run, seconds), LAB_LANES (scenarios run side by side in one session,
# default 1); for lab-stress STRESS_SECONDS (300) and STRESS_BURST (VMs created at once, 6).

LAB_CACHE   ?= cache/lab
LAB_OUT     := $(OUT)/lab
LAB_MEM     ?=
LAB_MODES   ?= pv pvh
LAB_MODE_JOBS ?= 2
LAB_ONLY    ?=
LAB_TIMEOUT ?= 2400
LAB_LANES   ?= 1
LAB_RESULTS ?= results/lab
LAB_XEN     := $(LAB_CACHE)/xen
LAB_DOM0    := $(LAB_CACHE)/dom0/.unpacked
LAB_BASE    := $(LAB_OUT)/dom0-base.cpio
LAB_STUB    := $(LAB_OUT)/stub-initrd.gz
LAB_BROKEN  := $(LAB_OUT)/initrd-broken.img
LAB_NOOP    := $(LAB_OUT)/xtvd-noop
LAB_ENV      = LAB_CACHE=$(abspath $(LAB_CACHE)) LAB_OUT=$(abspath $(LAB_OUT))
LAB_ARGS     = $(if $(LAB_MEM),-m $(LAB_MEM)) -T $(LAB_TIMEOUT) -j $(LAB_LANES) \
	$(if $(LAB_ONLY),-n '$(LAB_ONLY)')
LAB_RUN      = $(LAB_ENV) tests/lab/run-lab.sh $(LAB_ARGS)

# lab_each_mode SET,RESULTS[,ARGS]: one run per mode of LAB_MODES into RESULTS/MODE,
# LAB_MODE_JOBS of them at the same time (tests/lab/run-modes.sh); every mode runs to the
# end even when another failed, and the target fails if any did.
lab_each_mode = $(LAB_ENV) tests/lab/run-modes.sh -j $(LAB_MODE_JOBS) -M '$(LAB_MODES)' -o $(2) -- \
	$(LAB_ARGS) -s $(1) $(3)

.PHONY: lab-deps demo check-lab check-lab-full check-lab-broken check-lab-hung lab-stub lab-floor lab-probe \
	lab-stress

$(LAB_XEN) $(LAB_DOM0) &: tests/lab/fetch-dom0.sh $(CACHE)/linux/.unpacked | $(DEPS_STAMP)
	tests/lab/fetch-dom0.sh $(LAB_CACHE) $(CACHE)/linux

$(LAB_BASE): tests/lab/mkdom0.sh $(LAB_DOM0) $(DEPS_STAMP)
	@mkdir -p $(@D)
	tests/lab/mkdom0.sh $(LAB_CACHE) $@

$(LAB_STUB): tests/lab/mkstub.sh | $(DEPS_STAMP)
	@mkdir -p $(@D)
	tests/lab/mkstub.sh $@

# dom0-side tools the scenarios run (tests/lab/tools/*.c): static musl, libxenstore from
# mk/musl-libs.mk; run-lab.sh puts $(LAB_OUT)/tools/* in dom0's /usr/bin. xenbus-pipeline
# runs in a guest: the xenbus-pipeline scenario packs it into a copy of the VM's initrd.
LAB_TOOLS := $(LAB_OUT)/tools/xs-kick $(LAB_OUT)/tools/xenbus-pipeline
$(LAB_OUT)/tools/%: tests/lab/tools/%.c $(OUT)/musl/lib/libxenstore.a | $(DEPS_STAMP)
	@mkdir -p $(@D)
	musl-gcc -std=c11 -Os -Wall -Wextra -Werror -static -s -I$(OUT)/musl/include -o $@ $< \
		-L$(OUT)/musl/lib -lxenstore -lpthread

lab-deps: $(LAB_XEN) $(LAB_BASE) $(LAB_TOOLS)

# The broken VM: the real initrd with /sbin/xtvd replaced (a later cpio member wins) by a
# program that never answers, so nothing is ever acknowledged.
$(LAB_NOOP): tests/lab/xtvd-noop.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	musl-gcc -static -Os -s -o $@ $<
$(LAB_BROKEN): $(OUT)/image/initrd.img $(LAB_NOOP)
	tests/lab/mkbroken.sh $(OUT)/image/initrd.img $(LAB_NOOP) $@

check-lab: lab-deps image
	$(call lab_each_mode,fast,$(LAB_RESULTS))

check-lab-full: lab-deps image
	$(call lab_each_mode,full,$(LAB_RESULTS)-full)

# A representative subset: every group of the matrix once (each waits out its bounds). PV
# only: what it proves (the checks catch a silent daemon) does not depend on the mode.
LAB_BROKEN_ONLY ?= boot xl-shutdown req-poweroff now-reboot next-ok-reboot bad-input save-restore
check-lab-broken: lab-deps image $(LAB_BROKEN)
	$(LAB_RUN) -t pv -s fast -R 0 -o $(LAB_RESULTS)-broken -i $(LAB_BROKEN) --expect-broken \
		$(if $(LAB_ONLY),,-n '$(LAB_BROKEN_ONLY)') -V BOOT_TIMEOUT=30

# The lab's own bounds (tests/lab/set-hung.sh): a scenario stops dom0's xenstored under a
# running VM; the runner must end that scenario within SCENARIO_TIMEOUT, say why, report
# the next scenario as not run and end the run, far inside the QEMU bound. PV only: the
# runner's logic does not depend on the mode.
check-lab-hung: lab-deps image
	$(LAB_RUN) -t pv -s hung -o $(LAB_RESULTS)-hung -T 900 -V SCENARIO_TIMEOUT=150 --expect-hung

# Find the smallest memory the VM works with, per mode
# (results/lab-floor/MODE/scenarios/mem-floor/floor): the first of MEM_CANDIDATES (MiB,
# ascending) at which it boots and answers.
MEM_CANDIDATES ?= 8 9 10 11 12 16 20 24 32 64
lab-floor: lab-deps image
	$(call lab_each_mode,floor,$(LAB_RESULTS)-floor,-T 900 -V 'MEM_CANDIDATES=$(MEM_CANDIDATES)')

# Where a small VM's memory goes: per case (MEM or MEM:debug) xl's domain-builder layout
# and the guest's boot log with memblock debugging (results/lab-probe/scenarios/mem-probe).
# The default cases are the floors: the VM's at 9 (PV) and 10 (PVH) MiB, the debug
# initrd's at 11 (PV) and 12 (PVH). As PV (the default) all four work; with
# LAB_ARGS='-t pvh' the 9 and 11:debug cases show how a boot below the floor fails.
PROBE_CASES ?= 9 10 11:debug 12:debug
lab-probe: lab-deps image
	$(LAB_RUN) -s probe -o $(LAB_RESULTS)-probe -T 1500 \
		-V PROBE_CASES='$(PROBE_CASES)' -V BOOT_TIMEOUT=60 -V SCENARIO_TIMEOUT=1400

# Is the emulated CPU (QEMU_CPU) clean? dom0's tools in a loop while VMs of each mode of
# LAB_MODES in turn boot and stop (tests/lab/set-stress.sh; docs/lab.md "The emulated CPU").
STRESS_SECONDS ?= 300
STRESS_BURST   ?= 6
lab-stress: lab-deps image
	$(LAB_RUN) -s stress -o $(LAB_RESULTS)-stress -T $$(($(STRESS_SECONDS) + 900)) \
		-V 'STRESS_TYPES=$(LAB_MODES)' -V STRESS_SECONDS=$(STRESS_SECONDS) \
		-V STRESS_BURST=$(STRESS_BURST) -V SCENARIO_TIMEOUT=$$(($(STRESS_SECONDS) + 600)) \
		-V BOOT_TIMEOUT=300 -V ACK_TIMEOUT=120

demo: lab-deps image
	$(LAB_RUN) -t pv -s demo -o $(LAB_RESULTS)-demo -T 600

lab-stub: lab-deps $(LAB_STUB)
	$(LAB_RUN) -t pv -s stub -o $(LAB_RESULTS)-stub -m 128 -T 600 -k $(LAB_CACHE)/dom0/vmlinux \
		-i $(LAB_STUB) -e console=hvc0 -r control/feature-poweroff
