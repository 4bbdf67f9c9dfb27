#!/bin/sh
# Assemble what a Xen toolstack boots: the kernel (PV and PVH) and the initrds.
#
#   out/image/vmlinuz           the kernel (bzImage, LZ4 payload; see README "Which kernel file")
#   out/image/initrd.img        /init + the control daemon
#   out/image/initrd-debug.img  the same plus a BusyBox shell, started with "debug" on the
#                               kernel command line; xz, not gzip (see make_initrd)
#
# Reproducible: entries in a fixed sorted order, every mtime = SOURCE_DATE_EPOCH, uid/gid 0,
# gzip without name or timestamp, xz single-threaded.
set -eu

usage() {
	echo "usage: $0 [-o OUTDIR] KERNEL INIT DAEMON BUSYBOX GEN_INIT_CPIO" >&2
	exit 2
}

outdir=out/image
while getopts o:h opt; do
	case "$opt" in
	o) outdir=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 5 ] || usage
kernel=$1 init=$2 daemon=$3 busybox=$4 gen_init_cpio=$5
epoch=${SOURCE_DATE_EPOCH:-0}

for f in "$kernel" "$init" "$daemon" "$busybox" "$gen_init_cpio"; do
	[ -f "$f" ] || { echo "mkimage: missing $f" >&2; exit 1; }
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# stage_file SRC NAME: a copy with the fixed mtime (gen_init_cpio keeps each file's own mtime).
stage_file() {
	cp "$1" "$stage/$2"
	touch -d "@$epoch" "$stage/$2"
}

stage_file "$init" init
stage_file "$daemon" xtvd
stage_file "$busybox" busybox

# The base list, already in sorted path order; /dev/console must exist before devtmpfs is
# mounted so that the kernel can give /init its stdin/stdout/stderr.
base_list() {
	cat <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
file /init $stage/init 0755 0 0
dir /proc 0755 0 0
dir /sbin 0755 0 0
slink /sbin/poweroff /init 0777 0 0
slink /sbin/reboot /init 0777 0 0
file /sbin/xtvd $stage/xtvd 0755 0 0
dir /sys 0755 0 0
LIST
}

debug_list() {
	cat <<LIST
dir /bin 0755 0 0
file /bin/busybox $stage/busybox 0755 0 0
slink /bin/sh busybox 0777 0 0
LIST
	base_list
}

# make_initrd LISTFN COMPRESSOR OUT: write the cpio described by LISTFN to OUT, compressed
# by COMPRESSOR (a command reading stdin). The cpio goes to a file first: in a pipe, a
# gen_init_cpio that failed halfway would still leave a valid, truncated archive.
make_initrd() {
	"$1" >"$stage/list"
	"$gen_init_cpio" -t "$epoch" "$stage/list" >"$stage/cpio"
	$2 <"$stage/cpio" >"$3.tmp"
	mv "$3.tmp" "$3"
}

# initrd.img: gzip, which Xen's domain builder decompresses before the guest starts (the
# kernel then finds a plain cpio: nothing to decompress in the guest, the fastest boot).
gzip_initrd='gzip -9 -n'
# initrd-debug.img: xz, which the builder leaves alone, so that the guest never holds the
# 2.1 MB cpio and the files unpacked from it at once (it boots in 12 MiB as PVH).  The
# kernel's decoder wants CRC32 and allocates the dictionary: 256 KiB, not xz's 8 MiB.
# --x86 is the BCJ filter for x86 code (CONFIG_XZ_DEC_X86): 916 KB instead of 960.
xz_initrd='xz -T1 --check=crc32 --x86 --lzma2=preset=6,dict=256KiB'

mkdir -p "$outdir"
cp "$kernel" "$outdir/vmlinuz.tmp" && mv "$outdir/vmlinuz.tmp" "$outdir/vmlinuz"
make_initrd base_list "$gzip_initrd" "$outdir/initrd.img"
make_initrd debug_list "$xz_initrd" "$outdir/initrd-debug.img"

size() { wc -c <"$1" | tr -d ' '; }
total=$(($(size "$outdir/vmlinuz") + $(size "$outdir/initrd.img")))
echo "mkimage: vmlinuz $(size "$outdir/vmlinuz") bytes, initrd.img $(size "$outdir/initrd.img") bytes," \
	"initrd-debug.img $(size "$outdir/initrd-debug.img") bytes; kernel+initrd $total bytes"
