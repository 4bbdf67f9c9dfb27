#!/bin/sh
# A bootable ISO of the lab shell: GRUB (BIOS, Debian's grub-mkrescue) loads Xen as the
# multiboot2 kernel, the lab's dom0 kernel and DOM0_CPIO (an initramfs built by
# lab-shell.sh, with the session, the test VM and the tools) as modules, with the same
# command lines as tests/lab/qemu.sh. Everything runs from memory; the console is the
# first serial port. Boot it with tests/lab/qemu.sh -i -c OUTPUT.iso.
#
# usage: tests/lab/mkiso.sh DOM0_CPIO OUTPUT.iso
# env: LAB_CACHE (cache/lab: xen, dom0/vmlinux)
set -eu

usage() { echo "usage: $0 DOM0_CPIO OUTPUT.iso" >&2; exit 2; }
[ "${1:-}" = "-h" ] && usage
[ $# -eq 2 ] || usage
cpio=$1 out=$2

HERE=$(cd "$(dirname "$0")" && pwd)
LAB_CACHE=${LAB_CACHE:-$HERE/../../cache/lab}
for tool in grub-mkrescue xorriso; do
	command -v "$tool" >/dev/null || { echo "mkiso: $tool missing (scripts/setup-deps.sh iso)" >&2; exit 1; }
done
[ -d /usr/lib/grub/i386-pc ] ||
	{ echo "mkiso: GRUB's BIOS modules missing (scripts/setup-deps.sh iso)" >&2; exit 1; }

tree=$out.tree
rm -rf "$tree"
mkdir -p "$tree/boot/grub"
cp "$LAB_CACHE/xen" "$tree/boot/xen"
cp "$LAB_CACHE/dom0/vmlinux" "$tree/boot/vmlinux"
cp "$cpio" "$tree/boot/dom0.cpio"
# GRUB talks on the serial port too, so its menu shows where the lab's console is.
cat >"$tree/boot/grub/grub.cfg" <<EOF
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=3
menuentry "xen-test-vm lab shell: Xen 4.17 + dom0, root shell on the serial console" {
	echo "Loading Xen, dom0 and its initramfs ..."
	multiboot2 /boot/xen $("$HERE/qemu.sh" --xen-cmdline)
	module2 /boot/vmlinux $("$HERE/qemu.sh" --dom0-cmdline)
	module2 /boot/dom0.cpio
}
EOF
# BIOS only (the i386-pc platform): no EFI image, so no mtools needed.
grub-mkrescue -o "$out.tmp" -d /usr/lib/grub/i386-pc "$tree" 2>"$out.log" ||
	{ cat "$out.log" >&2; exit 1; }
mv "$out.tmp" "$out"
rm -rf "$tree" "$out.log"
echo "mkiso: $out ($(du -h "$out" | cut -f1))"
