#!/bin/sh
# Check the boot image a toolstack is given: the kernel is a bzImage Xen's domain builder can
# load as a PV and as a PVH guest, each initrd holds exactly what init needs with static
# binaries, and mkimage.sh is reproducible (a second run from the same inputs gives
# byte-identical initrds).
#
# usage: tests/image/run.sh IMAGE_DIR INIT DAEMON BUSYBOX GEN_INIT_CPIO
set -eu

usage() { echo "usage: $0 IMAGE_DIR INIT DAEMON BUSYBOX GEN_INIT_CPIO" >&2; exit 2; }
[ $# -eq 5 ] || usage
image=$(cd "$1" && pwd) init=$2 daemon=$3 busybox=$4 gen_init_cpio=$5
here=$(cd "$(dirname "$0")/../.." && pwd)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() {
	name=$1; shift
	if "$@" >"$tmp/out" 2>&1; then
		passed=$((passed + 1)); echo "ok $((passed + failed)) - $name"
	else
		failed=$((failed + 1)); echo "not ok $((passed + failed)) - $name"
		sed 's/^/# /' "$tmp/out"
	fi
}

listing() { gzip -dc "$1" | cpio -it --quiet | LC_ALL=C sort | tr '\n' ' '; }
has_entries() { [ "$(listing "$1")" = "$2" ]; }

# static FILE-IN-INITRD INITRD: the member is an ELF executable with no interpreter.
static_member() {
	rm -rf "$tmp/x" && mkdir "$tmp/x"
	(cd "$tmp/x" && gzip -dc "$2" | cpio -id --quiet "$1")
	readelf -hW "$tmp/x/$1" | grep -q 'Type:.*EXEC' && ! readelf -lW "$tmp/x/$1" | grep -q INTERP
}

# mkimage_from DIR MTIME: mkimage.sh on copies of the inputs in DIR, all with mtime MTIME.
mkimage_from() {
	mkdir -p "$1/in"
	for f in "$image/vmlinuz" "$init" "$daemon" "$busybox"; do
		cp "$f" "$1/in/" && touch -d "$2" "$1/in/$(basename "$f")"
	done
	"$here/mkimage.sh" -o "$1/out" "$1/in/vmlinuz" "$1/in/$(basename "$init")" \
		"$1/in/$(basename "$daemon")" "$1/in/$(basename "$busybox")" "$gen_init_cpio" >/dev/null
}

# Two runs from different folders and input mtimes must give byte-identical initrds.
reproducible() {
	mkimage_from "$tmp/a" "@0" && mkimage_from "$tmp/b" "now" &&
		cmp "$tmp/a/out/initrd.img" "$tmp/b/out/initrd.img" &&
		cmp "$tmp/a/out/initrd-debug.img" "$tmp/b/out/initrd-debug.img"
}

echo "TAP version 13"
echo "1..6"
check "vmlinuz is a bzImage with an LZ4 or gzip ELF payload and the Xen notes (PVH entry included)" \
	"$here/kernel-config/check-image.sh" "$image/vmlinuz"
check "initrd.img holds /init, /sbin/xtvd, /sbin/{poweroff,reboot} -> /init and /dev/console only" \
	has_entries "$image/initrd.img" "dev dev/console init proc sbin sbin/poweroff sbin/reboot sbin/xtvd sys "
check "initrd-debug.img adds BusyBox as /bin/sh" \
	has_entries "$image/initrd-debug.img" \
	"bin bin/busybox bin/sh dev dev/console init proc sbin sbin/poweroff sbin/reboot sbin/xtvd sys "
check "/init in the initrd is static" static_member init "$image/initrd.img"
check "/sbin/xtvd in the initrd is static" static_member sbin/xtvd "$image/initrd.img"
check "mkimage.sh output depends on nothing but the inputs' contents" reproducible
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
