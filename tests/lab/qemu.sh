#!/bin/sh
# The lab's machine: Xen 4.17 + the Debian dom0 kernel in QEMU (TCG), dom0's initramfs
# given as DOM0_CPIO. One command line for every user of the lab, so the scripted matrix
# (run-lab.sh), the interactive shell (lab-shell.sh) and the lab's ISO (mkiso.sh) see the
# same machine. Replaces itself with QEMU (exec): the caller's `timeout` bounds QEMU and
# gets its status.
set -eu

usage() {
	cat >&2 <<'EOF'
usage: tests/lab/qemu.sh [-i] DOM0_CPIO [DISK]
       tests/lab/qemu.sh [-i] -c ISO
       tests/lab/qemu.sh --xen-cmdline | --dom0-cmdline | --machine
  DOM0_CPIO  dom0's initramfs (out/lab/dom0-base.cpio + a run's payload)
  DISK       a raw file given to dom0 as /dev/vda (the lab's results disk)
  -c ISO     boot the lab from a CD (make lab-iso) instead of Xen and dom0 given directly
  -i         interactive: the serial console shares stdio with QEMU's monitor
             (Ctrl-A X quits QEMU, Ctrl-A C switches to the monitor, Ctrl-A H helps);
             without -i the serial console is stdio and there is no monitor
  --xen-cmdline, --dom0-cmdline  print Xen's / dom0's command line and stop
  --machine  print the emulated CPU and TCG options (-cpu ..., -accel ...) and stop
env: LAB_CACHE (cache/lab: xen, dom0/vmlinux),
     QEMU_CPU (the -cpu model, default phenom,-rdtscp,-fxsr-opt),
     QEMU_ACCEL (the -accel options, default tcg,thread=single,tb-size=128),
     LAB_QEMU_MEM (the machine's MiB, default 1024), LAB_DOM0_MEM (dom0's MiB, default 512),
     LAB_SMP (emulated CPUs, default 1)
EOF
	exit 2
}

# The machine's memory and dom0's share of it. The defaults suit the matrix (a few guests at
# a time); `make bench` raises both for its N VMs at once (mk/bench.mk): Xen gives the
# guests what dom0 leaves, and dom0 keeps one xl process per running domain.
LAB_QEMU_MEM=${LAB_QEMU_MEM:-1024}
LAB_DOM0_MEM=${LAB_DOM0_MEM:-512}
case "$LAB_QEMU_MEM$LAB_DOM0_MEM" in
*[!0-9]*) echo "qemu.sh: LAB_QEMU_MEM and LAB_DOM0_MEM are MiB (numbers)" >&2; exit 2 ;;
esac

# Xen: serial console, a fixed dom0 on one vCPU (docs/lab.md), stay down on a
# crash. dom0: its console is Xen's (hvc0), quiet.
XEN_CMDLINE="console=com1 dom0_mem=${LAB_DOM0_MEM}M,max:${LAB_DOM0_MEM}M dom0_max_vcpus=1 smap=0 noreboot loglvl=warning guest_loglvl=warning"
DOM0_CMDLINE="console=hvc0 quiet loglevel=3"

# The emulated CPU and how TCG runs it (docs/lab.md "The emulated CPU" has every run behind
# this). PVH guests need Xen's HVM support, which TCG provides only through AMD's SVM: an
# AMD model with svm and npt. Phenom is the one closest to Westmere, the Intel model under
# which dom0 stayed clean: none of AVX, XSAVE, FSGSBASE, SMEP/SMAP or PKU, the newer features
# of `max` under which dom0 processes (xl, xenstore-*, date) died of memory corruption now
# and then, most often with domains being built at the same time. -rdtscp: Xen traps a
# domU's RDTSCP and, without NRIP-save (TCG has none), decodes the instruction itself, which
# failed for a PVH guest and crashed it. -fxsr-opt: not emulated by TCG, named to silence
# QEMU's warning. thread=single: with multi-threaded TCG, PVH guests brought the whole
# emulated machine down (phenom: a reset; max: a stall). Single-threaded TCG uses one host
# core per machine, which is also why the lab can run two machines side by side.
QEMU_CPU=${QEMU_CPU:-phenom,-rdtscp,-fxsr-opt}
QEMU_ACCEL=${QEMU_ACCEL:-tcg,thread=single,tb-size=128}
# One emulated CPU: Xen then has one physical CPU, which dom0 and the guests share. With two,
# a PVH guest died now and then (4 of 42 scenario attempts in one run, 1 of 39 in another)
# of a double fault: its event-channel upcall delivered a second time at the handler's own
# first instruction, which only the (emulated) SVM's event injection can do. With one, none
# in the runs of docs/lab.md. Under single-threaded TCG a second vCPU adds no host CPU
# time anyway: both run on the machine's one host thread.
LAB_SMP=${LAB_SMP:-1}

HERE=$(cd "$(dirname "$0")" && pwd)
LAB_CACHE=${LAB_CACHE:-$HERE/../../cache/lab}
INTERACTIVE=0 ISO=""
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage ;;
	-i) INTERACTIVE=1; shift ;;
	-c) [ $# -ge 2 ] || usage; ISO=$2; shift 2 ;;
	--xen-cmdline) echo "$XEN_CMDLINE"; exit 0 ;;
	--dom0-cmdline) echo "$DOM0_CMDLINE"; exit 0 ;;
	--machine) echo "-cpu $QEMU_CPU -accel $QEMU_ACCEL -smp $LAB_SMP"; exit 0 ;;
	-*) usage ;;
	*) break ;;
	esac
done
if [ -n "$ISO" ]; then
	[ $# -eq 0 ] || usage
else
	[ $# -eq 1 ] || [ $# -eq 2 ] || usage
fi
CPIO=${1:-} DISK=${2:-}

if [ "$INTERACTIVE" = 1 ]; then
	set -- -serial mon:stdio
else
	set -- -serial stdio -monitor none
fi
[ -z "$DISK" ] || set -- "$@" -drive "file=$DISK,format=raw,if=virtio"
if [ -n "$ISO" ]; then
	# GRUB on the CD loads Xen and dom0 with the same command lines (mkiso.sh).
	set -- "$@" -cdrom "$ISO" -boot d
else
	set -- "$@" -kernel "$LAB_CACHE/xen" -append "$XEN_CMDLINE" \
		-initrd "$LAB_CACHE/dom0/vmlinux $DOM0_CMDLINE,$CPIO"
fi

# -no-reboot: dom0's `poweroff -f` (and any reboot) ends QEMU rather than starting over.
# virtio-rng: the emulated CPU has no RDRAND and TCG makes few interrupts, so without an
# entropy source dom0's crng took over two minutes to initialise (133 s in the bench of
# 2026-11-28), and until then every `xl create` took 3 s more: xl makes the domain's UUID
# with libuuid's uuid_generate(), which asks getrandom(GRND_NONBLOCK) for random bytes
# three times (the random UUID, then the time-based fallback's clock sequence and node id),
# each time retrying for 1 s (8 x 125 ms, util-linux lib/randutils.c) before it gives up.
# A real host has RDRAND or a saved seed; the lab now has an entropy source too.
exec qemu-system-x86_64 \
	-machine q35 -cpu "$QEMU_CPU" -m "$LAB_QEMU_MEM" -smp "$LAB_SMP" -accel "$QEMU_ACCEL" \
	-nographic -no-reboot -nodefaults -device virtio-rng-pci "$@"
