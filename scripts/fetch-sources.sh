#!/bin/sh
# Fetch and unpack the Debian sources the build uses into a cache folder (default cache/src).
# Each source is unpacked once; a stamp file marks a complete unpack.
#
# usage: scripts/fetch-sources.sh [json-c|xen|linux]...   (default: all three)
set -eu

CACHE=${CACHE:-cache/src}
# The security build of xen ships no source package in the archive: pin the last one that does.
XEN_SRC_VERSION=${XEN_SRC_VERSION:-4.17.5+72-g01140da4e8-1}
JSONC_SRC_VERSION=${JSONC_SRC_VERSION:-0.16-2}
LINUX_TARBALL=${LINUX_TARBALL:-/usr/src/linux-source-6.1.tar.xz}

mkdir -p "$CACHE"

# apt_source NAME VERSION DIR: unpack Debian source NAME=VERSION as $CACHE/DIR.
apt_source() {
	name=$1 version=$2 dir=$3
	[ -f "$CACHE/$dir/.unpacked" ] && return 0
	echo "fetch: apt-get source $name=$version"
	tmp=$(mktemp -d "$CACHE/.tmp.XXXXXX")
	(cd "$tmp" && apt-get source -qq --only-source "$name=$version" >/dev/null)
	rm -rf "${CACHE:?}/$dir"
	src=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	mv "$src" "$CACHE/$dir"
	rm -rf "$tmp"
	touch "$CACHE/$dir/.unpacked"
}

linux_source() {
	[ -f "$CACHE/linux/.unpacked" ] && return 0
	[ -f "$LINUX_TARBALL" ] || { echo "fetch: $LINUX_TARBALL missing (apt-get install linux-source-6.1)" >&2; exit 1; }
	echo "fetch: unpacking $LINUX_TARBALL"
	rm -rf "$CACHE/linux" "$CACHE/linux-source-6.1"
	tar -C "$CACHE" -xf "$LINUX_TARBALL"
	mv "$CACHE/linux-source-6.1" "$CACHE/linux"
	touch "$CACHE/linux/.unpacked"
}

[ $# -eq 0 ] && set -- json-c xen linux
for what in "$@"; do
	case "$what" in
	json-c) apt_source json-c "$JSONC_SRC_VERSION" json-c ;;
	xen) apt_source xen "$XEN_SRC_VERSION" xen ;;
	linux) linux_source ;;
	*) echo "usage: $0 [json-c|xen|linux]..." >&2; exit 2 ;;
	esac
done
