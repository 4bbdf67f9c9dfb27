#!/bin/sh
# Fetch the lab's dom0 pieces from Debian's archive into a cache folder:
# the Xen hypervisor (uncompressed) and Debian's stock kernel (uncompressed vmlinux + modules).
# The kernel package is downloaded and extracted, never installed.
#
# usage: tests/lab/fetch-dom0.sh LABCACHE LINUXSRC
#   LABCACHE  e.g. cache/lab; results: LABCACHE/xen, LABCACHE/dom0/vmlinux, LABCACHE/dom0/root
#   LINUXSRC  unpacked Linux source (for scripts/extract-vmlinux)
set -eu

usage() { echo "usage: $0 LABCACHE LINUXSRC" >&2; exit 2; }
[ "${1:-}" = "-h" ] && usage
[ $# -eq 2 ] || usage
lab=$1 linux=$2
XEN_GZ=${XEN_GZ:-/boot/xen-4.17-amd64.gz}

# kernel_package: the versioned image package that linux-image-amd64 depends on.
kernel_package() {
	apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1
}

fetch_xen() {
	[ -s "$lab/xen" ] && return 0
	[ -f "$XEN_GZ" ] || { echo "fetch-dom0: $XEN_GZ missing (xen-hypervisor-4.17-amd64)" >&2; exit 1; }
	gzip -dc "$XEN_GZ" >"$lab/xen.tmp"
	mv "$lab/xen.tmp" "$lab/xen"
}

fetch_kernel() {
	[ -f "$lab/dom0/.unpacked" ] && return 0
	pkg=$(kernel_package)
	[ -n "$pkg" ] || { echo "fetch-dom0: cannot resolve linux-image-amd64" >&2; exit 1; }
	echo "fetch-dom0: apt-get download $pkg"
	rm -rf "$lab/dom0" "$lab/debs"
	mkdir -p "$lab/debs" "$lab/dom0"
	(cd "$lab/debs" && apt-get download -qq "$pkg" 2>/dev/null)
	dpkg-deb -x "$lab"/debs/"$pkg"_*.deb "$lab/dom0/root"
	kver=$(basename "$(find "$lab/dom0/root/lib/modules" -mindepth 1 -maxdepth 1 -type d)")
	depmod -b "$lab/dom0/root" "$kver"
	echo "$kver" >"$lab/dom0/kver"
	sh "$linux/scripts/extract-vmlinux" "$lab/dom0/root/boot/vmlinuz-$kver" >"$lab/dom0/vmlinux"
	rm -rf "$lab/debs"
	touch "$lab/dom0/.unpacked"
}

mkdir -p "$lab"
fetch_xen
fetch_kernel
