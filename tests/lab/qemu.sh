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
       tests/lab/qemu.sh --xen-cmdline | --dom0-cmdline
  DOM0_CPIO  dom0's initramfs (out/lab/dom0-base.cpio + a run's payload)
  DISK       a raw file given to dom0 as /dev/vda (the lab's results disk)
  -c ISO     boot the lab from a CD (make lab-iso) instead of Xen and dom0 given directly
  -i         interactive: the serial console shares stdio with QEMU's monitor
             (Ctrl-A X quits QEMU, Ctrl-A C switches to the monitor, Ctrl-A H helps);
             without -i the serial console is stdio and there is no monitor
  --xen-cmdline, --dom0-cmdline  print Xen's / dom0's command line and stop
env: LAB_CACHE (cache/lab: xen, dom0/vmlinux), QEMU_CPU (the -cpu model, default Westmere),
     LAB_QEMU_MEM (the machine's MiB, default 1024), LAB_DOM0_MEM (dom0's MiB, default 512)
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

# The emulated CPU: Westmere, an older model, rather than `max`. Under `max`, dom0
# processes died now and then of memory corruption (glibc heap aborts in xl, date and
# xenstore-read; segfaults in xl and xtv-send), more often with domains being built at
# the same time; neither masking AVX nor a single dom0 vCPU made it go away (2 of 16
# xtv-send runs died in the 16-VM benchmark). With Westmere the 16-VM run and a two-lane
# matrix were clean. It costs speed: the matrix takes about 45% longer. docs/lab.md.
QEMU_CPU=${QEMU_CPU:-Westmere}

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
exec qemu-system-x86_64 \
	-machine q35 -cpu "$QEMU_CPU" -m "$LAB_QEMU_MEM" -smp 2 -accel tcg,tb-size=128 \
	-nographic -no-reboot -nodefaults "$@"
