#!/bin/sh
# Build the broken test VM initrd: the real initrd followed by a second gzip'd cpio whose
# /sbin/xtvd (a program that never answers) replaces the real daemon when the kernel
# unpacks the archives in order.
#
# usage: tests/lab/mkbroken.sh INITRD NOOP_DAEMON OUTPUT
set -eu
if [ $# -ne 3 ] || [ "$1" = -h ]; then echo "usage: $0 INITRD NOOP_DAEMON OUTPUT" >&2; exit 2; fi
initrd=$1 noop=$2 out=$3
root=$out.root
rm -rf "$root"
mkdir -p "$root/sbin"
cp "$noop" "$root/sbin/xtvd"
chmod 755 "$root/sbin/xtvd"
{
	cat "$initrd"
	(cd "$root" && printf '%s\n' sbin sbin/xtvd | cpio -o -H newc -R 0:0 --quiet) | gzip -n
} >"$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$root"
