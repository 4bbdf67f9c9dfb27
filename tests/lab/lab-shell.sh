#!/bin/sh
# The lab by hand: boot the lab's Xen + dom0 (the same machine as run-lab.sh, tests/lab/qemu.sh)
# and give this terminal an interactive root shell in dom0 on the serial console, with the
# test VM, its xl configs (install/xl/), xl, xenstore-* and xtv-send ready. Optionally runs
# some lab scenarios first. Leaving the shell powers dom0 off and QEMU exits; Ctrl-A X
# quits QEMU at any time. The dom0 side is tests/lab/shell-session.sh.
set -eu

usage() {
	cat >&2 <<'EOF'
usage: tests/lab/lab-shell.sh [-m MEM] [-n NAMES] [-T SECONDS] [-k KERNEL] [-i INITRD] [-o RESULTS]
                              [--iso OUTPUT.iso]
  -m MEM      the test VM's memory in MiB, written into every xl config (default per
              guest type, the lab's: run-lab.sh -m)
  -n NAMES    run these lab scenarios (space separated, as LAB_ONLY) before the shell
  -T SECONDS  bound on the whole QEMU run (default 0: none; Ctrl-A X always quits)
  -k/-i       the VM's kernel / initrd (default out/image/vmlinuz, out/image/initrd.img)
  -o RESULTS  where the scenarios' results are unpacked (default results/lab-shell)
  --iso FILE  write a bootable ISO of this shell (tests/lab/mkiso.sh) instead of booting;
              boot it with tests/lab/qemu.sh -i -c FILE
In the shell: lab-help shows what to type; exit or Ctrl-D powers off and QEMU exits.
env: LAB_CACHE (cache/lab), LAB_OUT (out/lab), QEMU_CPU and QEMU_ACCEL (the emulated CPU
     and how TCG runs it, see qemu.sh)
EOF
	exit 2
}

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
MEM="" ONLY="" BOUND=0 RESULTS=results/lab-shell ISO=""
KERNEL=$TOP/out/image/vmlinuz INITRD=$TOP/out/image/initrd.img

while [ $# -gt 0 ]; do
	# Every option but -h takes a value: without one, the usage, not set -u's error.
	case "$1" in -h | --help) ;; *) [ $# -ge 2 ] || usage ;; esac
	case "$1" in
	-h | --help) usage ;;
	-m) MEM=$2; shift 2 ;;
	-n) ONLY=$2; shift 2 ;;
	-T) BOUND=$2; shift 2 ;;
	-k) KERNEL=$2; shift 2 ;;
	-i) INITRD=$2; shift 2 ;;
	-o) RESULTS=$2; shift 2 ;;
	--iso) ISO=$2; RESULTS=results/lab-iso; shift 2 ;;
	*) usage ;;
	esac
done
case "$MEM$BOUND" in *[!0-9]*) usage ;; esac

# build_initramfs: the lab's dom0 initramfs for these options (run-lab.sh builds it: the
# same /init, runner, test VM and xtv-send) plus the shell's own archive (the kernel
# unpacks concatenated archives in turn): the session, the xl configs, the terminal's
# name and size. Sets WORK and CPIO.
build_initramfs() {
	lab_cpio=$("$HERE/run-lab.sh" --payload-only -s shell -o "$RESULTS" ${MEM:+-m "$MEM"} \
		-k "$KERNEL" -i "$INITRD" ${ONLY:+-n "$ONLY"})
	WORK=$(dirname "$lab_cpio")
	CPIO=$WORK/lab-shell.cpio
	root=$WORK/shell-root
	rm -rf "$root"
	mkdir -p "$root/lab/xl"
	cp "$HERE/shell-session.sh" "$root/lab/session"
	cp "$TOP"/install/xl/*.cfg "$root/lab/xl/"
	# The ISO's user and terminal are unknown: a vt100 of 24x80 (`stty rows R cols C` in
	# the shell fits it to the real one).
	size="24 80" term=vt100
	if [ -z "$ISO" ]; then
		size=$(stty size 2>/dev/null) || size="24 80"
		term=${TERM:-vt100}
	fi
	cat >"$root/lab/shell.conf" <<EOF
SHELL_TERM='$term'
SHELL_ROWS='${size% *}'
SHELL_COLS='${size#* }'
EOF
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$WORK/shell.cpio"
	cat "$lab_cpio" "$WORK/shell.cpio" >"$CPIO"
	rm -rf "$root"
}

# run_qemu: QEMU on this terminal (raw mode while it runs), bounded if asked; the terminal's
# settings are put back whatever way QEMU ended. Sets QEMU_RC (124: the bound was hit).
run_qemu() {
	disk=$WORK/results.img
	rm -f "$disk"
	truncate -s 64M "$disk"
	saved_tty=$(stty -g 2>/dev/null) || saved_tty=""
	QEMU_RC=0
	if [ "$BOUND" -gt 0 ]; then
		timeout --foreground -k 10 "$BOUND" "$HERE/qemu.sh" -i "$CPIO" "$disk" || QEMU_RC=$?
	else
		"$HERE/qemu.sh" -i "$CPIO" "$disk" || QEMU_RC=$?
	fi
	[ -z "$saved_tty" ] || stty "$saved_tty"
	# SeaBIOS began by turning the terminal's line wrapping off (ESC [ ? 7 l): back on.
	if [ -t 1 ]; then printf '\033[?7h'; fi
}

# report_scenarios: the results of the scenarios run before the shell, from the disk.
report_scenarios() {
	[ -n "$ONLY" ] || return 0
	rm -rf "$RESULTS"
	mkdir -p "$RESULTS"
	if tar -xf "$WORK/results.img" -C "$RESULTS" 2>/dev/null && [ -f "$RESULTS/results/summary.tsv" ]; then
		echo "lab-shell: scenarios (results in $RESULTS/results):"
		cut -f1-4 "$RESULTS/results/summary.tsv" | sed 's/^/  /'
	else
		echo "lab-shell: no scenario results on the disk (dom0 did not power off cleanly)"
	fi
}

main() {
	build_initramfs # run-lab.sh says what is missing (make lab-deps image)
	if [ -n "$ISO" ]; then
		"$HERE/mkiso.sh" "$CPIO" "$ISO"
		exit 0
	fi
	echo "lab-shell: booting Xen + dom0 in QEMU (about a minute under TCG); VM memory ${MEM:+$MEM MiB}${MEM:-the lab default per guest type}"
	echo "lab-shell: leave with exit or Ctrl-D in the shell; Ctrl-A X quits QEMU at once"
	run_qemu
	echo "lab-shell: QEMU exited (status $QEMU_RC)"
	[ "$QEMU_RC" != 124 ] || echo "lab-shell: the run reached its bound of ${BOUND}s" >&2
	report_scenarios
	exit "$QEMU_RC"
}

main
