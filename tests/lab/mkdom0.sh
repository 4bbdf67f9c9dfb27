#!/bin/sh
# Build the lab's dom0 base initramfs (newc cpio, uncompressed) from the host's Debian
# packages: busybox-static, xl (and xenconsole, for `xl console`), the C xenstored,
# xenconsoled, xenstore-utils, every shared library they load, and the dom0 kernel
# modules. The scripts and the test VM are appended later as a second cpio (see
# run-lab.sh), so this archive only changes with the packages.
#
# usage: tests/lab/mkdom0.sh LABCACHE OUTPUT.cpio
set -eu

usage() { echo "usage: $0 LABCACHE OUTPUT.cpio" >&2; exit 2; }
[ "${1:-}" = "-h" ] && usage
[ $# -eq 2 ] || usage
lab=$1 out=$2

XENBIN=/usr/lib/xen-4.17/bin
XEN_PROGS="xl xenstored xenconsoled xenconsole libxl-save-helper xen-init-dom0 xenstore-control"
XENSTORE_CMDS="xenstore-read xenstore-write xenstore-rm xenstore-ls xenstore-list
 xenstore-exists xenstore-chmod xenstore-watch"
MODULES="xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs virtio_pci virtio_blk virtio_rng"
DIRS="bin sbin dev proc sys tmp run etc/xen/scripts var/lib/xen var/lib/xen/dump
 var/run/xen var/run/xenstored var/log/xen var/log/xen/console var/lock/xl var/lock/subsys lab results"

kver=$(cat "$lab/dom0/kver")
modroot=$(cd "$lab/dom0/root" && pwd)
root="$out.root"

# copy_file SRC: copy SRC to the same path inside the root (following symlinks).
copy_file() {
	mkdir -p "$root$(dirname "$1")"
	cp -L "$1" "$root$1"
}

# copy_binary SRC: copy an executable and every library the dynamic loader resolves for it.
copy_binary() {
	copy_file "$1"
	ldd "$1" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | while read -r lib; do
		[ -e "$root$lib" ] || copy_file "$lib"
	done
}

add_busybox() {
	cp /bin/busybox "$root/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
}

add_xen() {
	for p in $XEN_PROGS; do
		copy_binary "$XENBIN/$p"
	done
	copy_binary /usr/bin/xenstore
	for c in $XENSTORE_CMDS; do
		ln -sf xenstore "$root/usr/bin/$c"
	done
	# xl aborts without libgcc_s (pthread_cancel loads it at run time; ldd does not list it).
	copy_file /lib/x86_64-linux-gnu/libgcc_s.so.1
	for p in xl xenstored xenconsoled; do
		ln -sf "$XENBIN/$p" "$root/sbin/$p"
	done
	printf '%s\n' 'autoballoon="off"' >"$root/etc/xen/xl.conf"
}

# add_modules: the module files plus /etc/lab-modules, the insmod order with dependencies.
add_modules() {
	: >"$root/etc/lab-modules"
	for m in $MODULES; do
		modprobe -d "$modroot" -S "$kver" --show-depends "$m" | while read -r _ path _; do
			rel=${path#"$modroot"}
			grep -qx "$rel" "$root/etc/lab-modules" && continue
			mkdir -p "$root$(dirname "$rel")"
			cp "$path" "$root$rel"
			echo "$rel" >>"$root/etc/lab-modules"
		done
	done
}

pack() {
	find "$root" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --reproducible -R 0:0 --quiet) >"$out.tmp"
	mv "$out.tmp" "$out"
}

rm -rf "$root"
mkdir -p "$root"
for d in $DIRS; do mkdir -p "$root/$d"; done
add_busybox
add_xen
add_modules
pack
rm -rf "$root"
echo "mkdom0: $out ($(du -h "$out" | cut -f1))"
