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

# decompress INITRD: the cpio inside, whichever of mkimage.sh's two formats it is in.
decompress() {
	case $(od -An -tx1 -N6 "$1" | tr -d ' \n') in
	1f8b*) gzip -dc "$1" ;;
	fd377a585a00) xz -dc "$1" ;;
	*) echo "$1: neither gzip nor xz" >&2; return 1 ;;
	esac
}

listing() { decompress "$1" | cpio -it --quiet | LC_ALL=C sort | tr '\n' ' '; }
has_entries() { [ "$(listing "$1")" = "$2" ]; }

# static FILE-IN-INITRD INITRD: the member is an ELF executable with no interpreter.
static_member() {
	rm -rf "$tmp/x" && mkdir "$tmp/x"
	decompress "$2" >"$tmp/cpio" || return 1
	(cd "$tmp/x" && cpio -id --quiet "$1" <"$tmp/cpio")
	readelf -hW "$tmp/x/$1" | grep -q 'Type:.*EXEC' && ! readelf -lW "$tmp/x/$1" | grep -q INTERP
}

# is_gzip FILE: libxenguest's domain builder decompresses a gzip'd module and no other
# format, so the guest gets initrd.img as plain cpio.
is_gzip() { [ "$(od -An -tx1 -N2 "$1" | tr -d ' \n')" = 1f8b ] && gzip -t "$1"; }

# kernel_decodable_xz FILE: xz that Linux's own decoder (lib/xz) can unpack in a small
# guest: CRC32 or no check (it knows no other), BCJ filters limited to x86, and a decoder
# that needs at most 1 MiB (xz's default dictionary would make the kernel vmalloc 8 MiB).
kernel_decodable_xz() {
	xz -t "$1" || return 1
	xz --robot -lvv "$1" >"$tmp/xzlist" || return 1
	awk -F'\t' '
		$1 == "file" && $7 != "CRC32" && $7 != "None" { print "check " $7; bad = 1 }
		$1 == "block" { f = $16; gsub(/--x86|--lzma2=[^ ]*| /, "", f)
			if (f != "") { print "filters " $16; bad = 1 } }
		$1 == "summary" && $2 > 1048576 { print "decoder memory " $2; bad = 1 }
		END { exit bad }' "$tmp/xzlist"
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
echo "1..8"
check "vmlinuz is a bzImage with an LZ4 or gzip ELF payload and the Xen notes (PVH entry included)" \
	"$here/kernel-config/check-image.sh" "$image/vmlinuz"
check "initrd.img holds /init, /sbin/xtvd, /sbin/{poweroff,reboot} -> /init and /dev/console only" \
	has_entries "$image/initrd.img" "dev dev/console init proc sbin sbin/poweroff sbin/reboot sbin/xtvd sys "
check "initrd-debug.img adds BusyBox as /bin/sh" \
	has_entries "$image/initrd-debug.img" \
	"bin bin/busybox bin/sh dev dev/console init proc sbin sbin/poweroff sbin/reboot sbin/xtvd sys "
check "initrd.img is gzip, which the domain builder unpacks before the guest runs" \
	is_gzip "$image/initrd.img"
check "initrd-debug.img is xz the guest kernel can decode (CRC32, x86 BCJ, <= 1 MiB)" \
	kernel_decodable_xz "$image/initrd-debug.img"
check "/init in the initrd is static" static_member init "$image/initrd.img"
check "/sbin/xtvd in the initrd is static" static_member sbin/xtvd "$image/initrd.img"
check "mkimage.sh output depends on nothing but the inputs' contents" reproducible
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
