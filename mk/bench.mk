# Benchmarks and reliability runs in the Xen lab (docs/benchmarks.md, docs/reliability.md).
# None of these is part of `make check`: they measure, or they run for a long time.
#
#   make bench              one lab session (set `bench`): first answer and boot to ready,
#                           ours vs. stock, and where the first answer's time goes (traced
#                           boots); ack latencies vs. the in-kernel sysrq ack; guest
#                           memory; boot floor; N VMs at once; plus footprint; writes
#                           docs/benchmarks.md
#   make bench-build        clean build, no-op rebuild, second clean build + cmp
#                           (results/bench-build/build.tsv, read by `make bench`)
#   make check-reliability  set `reliability`: storm, daemon respawn, xenstored restart
#   make soak               set `soak`: 100 xl save/restore + 100 xl save -c cycles
#
# Variables: BENCH_BOOTS (boots per kind, 5), BENCH_TIMELINE_BOOTS (traced boots per kind, 3),
# BENCH_PINGS (messages per kind, 400: the p50 ratio of two kinds in 400 interleaved pairs
# moved by about ±0.03 in a bootstrap, docs/bench-data/latency-breakdown),
# BENCH_SCALE_N (64), BENCH_SCALE_JOBS (xl create at a time, 8), BENCH_CMP_MEM (MiB for the ours-vs-stock boots, 128), LAB_MEM,
# BENCH_PVH_MEM (MiB for the PVH boots; default LAB_MEM, else the lab's PVH floor),
# BENCH_QEMU_ACCEL (how TCG runs; default the lab's),
# BENCH_QEMU_MEM / BENCH_DOM0_MEM (MiB of the lab machine / of dom0 for the bench session:
# N guests at the floor need a little over N x memory= from Xen: 64 at 9 MiB took 581
# MiB; and dom0 one xl process each),
# LAB_TYPE (the guest type of check-reliability and soak: pv, the default, or pvh).

BENCH_OUT     := $(OUT)/bench
BENCH_XSBENCH := $(BENCH_OUT)/xsbench
BENCH_EXTRA   := $(BENCH_OUT)/extra
BENCH_STOCK   ?= cache/lab/dom0/vmlinux
BENCH_BOOTS   ?= 5
BENCH_TIMELINE_BOOTS ?= 3
BENCH_PINGS   ?= 400
BENCH_SCALE_N ?= 64
# At most this many `xl create` at a time in bench-scale (0: all N at once).
BENCH_SCALE_JOBS ?= 8
BENCH_CMP_MEM ?= 128
# The PVH boots' memory besides BENCH_CMP_MEM (the PV ones use LAB_MEM).
BENCH_PVH_MEM ?= $(LAB_MEM)
BENCH_QEMU_MEM ?= 3072
BENCH_DOM0_MEM ?= 1024
# How TCG runs the bench session (QEMU_ACCEL of tests/lab/qemu.sh); empty: the lab's own.
# With a 1 GiB translation cache instead of the lab's 128 MiB the 64 guests of bench-scale
# used 3.3 s of CPU each against 4.3 s and all 64 were ready 13% sooner (549 s against
# 631 s), and the session's other figures did not change (tests/bench/notes.md): the
# bench keeps the lab's machine.
BENCH_QEMU_ACCEL ?=
BENCH_RESULTS ?= results/bench
# check-lab runs (results folders) whose mode, memory and verdicts the report lists: the
# memory floor is the smallest memory at which a mode's whole fast matrix passed.
BENCH_LAB_RUNS ?= $(LAB_RESULTS)/pv $(LAB_RESULTS)/pvh
BENCH_TIMEOUT ?= 3600
STORM_N       ?= 1000
STORM_SEND_N  ?= 100
SOAK_TIMEOUT  ?= 14400
SOAK_BUDGET   ?= 12000

.PHONY: bench bench-lab bench-build bench-extra check-reliability soak

# The dom0-side timing helper: static musl, libxenstore from mk/musl-libs.mk.
$(BENCH_XSBENCH): tests/bench/xsbench.c $(OUT)/musl/lib/libxenstore.a | $(DEPS_STAMP)
	@mkdir -p $(@D)
	musl-gcc -std=c11 -Os -Wall -Wextra -Werror -static -s -I$(OUT)/musl/include -o $@ $< \
		-L$(OUT)/musl/lib -lxenstore -lpthread

# Files for /lab/extra in dom0 (hard links where possible: the stock kernel is 65 MB).
bench-extra: $(BENCH_XSBENCH) image lab-deps
	rm -rf $(BENCH_EXTRA)
	mkdir -p $(BENCH_EXTRA)
	cp $(BENCH_XSBENCH) $(BENCH_EXTRA)/
	ln -f $(BENCH_STOCK) $(BENCH_EXTRA)/stock-vmlinux 2>/dev/null || cp $(BENCH_STOCK) $(BENCH_EXTRA)/stock-vmlinux
	@# Our kernel uncompressed (the ELF that bzImage carries LZ4-compressed, symbols
	@# stripped): the bench measures what libxenguest's unpacking costs (docs/benchmarks.md).
	objcopy --strip-all $(KERNEL_BUILD)/vmlinux $(BENCH_EXTRA)/ours-vmlinux

# One scenario at a time (LAB_LANES=1): benchmark figures must not share the machine with
# another scenario, and the xenstored restart must come last.
BENCH_LAB = LAB_EXTRA=$(abspath $(BENCH_EXTRA)) $(LAB_RUN) -V SCENARIO_TIMEOUT=2400 -V VM_LIFETIME=3000 \
	-V LAB_LANES=1

bench-lab: bench-extra
	cut -d' ' -f1-3 /proc/loadavg >$(BENCH_OUT)/load-before
	LAB_QEMU_MEM=$(BENCH_QEMU_MEM) LAB_DOM0_MEM=$(BENCH_DOM0_MEM) $(if $(BENCH_QEMU_ACCEL),QEMU_ACCEL=$(BENCH_QEMU_ACCEL)) $(BENCH_LAB) -s bench -o $(BENCH_RESULTS) -T $(BENCH_TIMEOUT) -V BENCH_BOOTS=$(BENCH_BOOTS) \
		-V BENCH_TIMELINE_BOOTS=$(BENCH_TIMELINE_BOOTS) \
		-V BENCH_PINGS=$(BENCH_PINGS) -V BENCH_SCALE_N=$(BENCH_SCALE_N) \
		-V BENCH_SCALE_JOBS=$(BENCH_SCALE_JOBS) -V BENCH_CMP_MEM=$(BENCH_CMP_MEM) -V BENCH_PVH_MEM=$(BENCH_PVH_MEM) -V BOOT_TIMEOUT=180 || \
		echo "bench: not every measurement completed, see $(BENCH_RESULTS)/summary.tsv"
	cut -d' ' -f1-3 /proc/loadavg >$(BENCH_OUT)/load-after

bench: bench-lab
	tests/bench/report.sh -o docs/benchmarks.md -r $(BENCH_RESULTS) -O $(OUT) -d docs/bench-data \
		-f '$(BENCH_LAB_RUNS)'

bench-build:
	tests/bench/build.sh -o results/bench-build

LAB_TYPE ?= pv

check-reliability: bench-extra
	$(BENCH_LAB) -t $(LAB_TYPE) -s reliability -o results/reliability -T $(BENCH_TIMEOUT) \
		-V STORM_N=$(STORM_N) -V STORM_SEND_N=$(STORM_SEND_N)

soak: bench-extra
	$(BENCH_LAB) -t $(LAB_TYPE) -V LAB_LANES=2 -s soak -o results/soak -T $(SOAK_TIMEOUT) \
		-V SCENARIO_TIMEOUT=$$(($(SOAK_BUDGET) + 900)) -V VM_LIFETIME=$(SOAK_TIMEOUT) \
		-V SOAK_BUDGET=$(SOAK_BUDGET)
