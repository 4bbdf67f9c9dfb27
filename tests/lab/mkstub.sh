#!/bin/sh
# Build the bring-up guest: a tiny busybox initrd for Debian's stock kernel, used to check
# Xen, dom0, xl and the result path before (or without) the real test VM.
#
# usage: tests/lab/mkstub.sh OUTPUT.cpio.gz
set -eu
if [ $# -ne 1 ] || [ "$1" = -h ]; then echo "usage: $0 OUTPUT.cpio.gz" >&2; exit 2; fi
out=$1
root=$out.root
rm -rf "$root"
mkdir -p "$root/bin" "$root/proc" "$root/dev"
cp /bin/busybox "$root/bin/busybox"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo "xtv-stub: up"
exec /bin/busybox sleep 2147483647
INIT
chmod 755 "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -n >"$out"
rm -rf "$root"
