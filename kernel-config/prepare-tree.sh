#!/bin/sh
# Make a patched copy of a kernel source tree without touching the original.
#
# The copy is hard links (fast, no extra space) except for the files the patches touch,
# which become real copies before patching: patching a hard link would change the
# original.  Patched files get a new mtime, so an existing out-of-tree build recompiles
# exactly them.  Files patched by an earlier run but no longer are also copied afresh,
# so that removing a patch recompiles the files it had changed.
#
# usage: kernel-config/prepare-tree.sh SOURCE DEST [PATCH]...
set -eu

usage() { echo "usage: $0 SOURCE DEST [PATCH]..." >&2; exit 2; }

[ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] && usage
[ $# -ge 2 ] || usage
src=$1 dest=$2
shift 2
[ -f "$src/Makefile" ] || { echo "prepare-tree: $src is not a kernel tree" >&2; exit 2; }

# Remembers, next to DEST, which files the last run patched.
patched_list="$dest.patched-files"
tmp="$dest.tmp"

# files_touched PATCH...: the paths (relative to the tree) the patches modify or create.
files_touched() {
	[ $# -eq 0 ] && return 0
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$@" | sort -u
}

rm -rf "$tmp"
if ! cp -al "$src" "$tmp" 2>/dev/null; then
	# Another file system: hard links are impossible, copy for real.
	rm -rf "$tmp"
	cp -a "$src" "$tmp"
fi

previous=""
[ -f "$patched_list" ] && previous=$(cat "$patched_list")
touched=$(files_touched "$@")
for file in $(printf '%s\n%s\n' "$previous" "$touched" | sort -u); do
	[ -f "$src/$file" ] || continue
	# A fresh, unlinked copy with a new mtime.
	rm -f "$tmp/$file"
	cp "$src/$file" "$tmp/$file"
	touch "$tmp/$file"
done

for patch in "$@"; do
	echo "prepare-tree: applying $(basename "$patch")"
	patch -d "$tmp" -p1 -N -s --no-backup-if-mismatch <"$patch"
done

rm -rf "$dest"
mv "$tmp" "$dest"
printf '%s\n' "$touched" >"$patched_list"
