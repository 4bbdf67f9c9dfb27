#!/bin/sh
# Install what the build, the host tests and the lab need, from Debian's archive only.
# Idempotent: quiet and fast when everything is already present.
#
# usage: scripts/setup-deps.sh [build] [check] [lab] [iso]    (default: build)
set -eu

usage() { echo "usage: $0 [build] [check] [lab] [iso]" >&2; exit 2; }

# Packages per purpose. dpkg-dev provides apt-get source's unpacker.
pkgs_build="build-essential dpkg-dev musl-tools cmake bc flex bison libelf-dev libssl-dev
 linux-source-6.1 busybox-static cpio gzip lz4 xz-utils python3 perl"
pkgs_check="clang libclang-rt-14-dev shellcheck valgrind llvm xenstore-utils"
# tmux: make check-lab-shell types into the lab shell through it.
pkgs_lab="qemu-system-x86 xen-utils-4.17 xen-hypervisor-4.17-amd64 xenstore-utils
 busybox-static cpio kmod tmux"
# iso: make lab-iso (GRUB for BIOS and grub-mkrescue's ISO writer); not installed by default.
pkgs_iso="grub-pc-bin grub-common xorriso"

SRC_LIST=/etc/apt/sources.list.d/xen-test-vm-src.sources

want=""
[ $# -eq 0 ] && set -- build
for group in "$@"; do
	case "$group" in
	build) want="$want $pkgs_build" ;;
	check) want="$want $pkgs_build $pkgs_check" ;;
	lab) want="$want $pkgs_build $pkgs_lab" ;;
	iso) want="$want $pkgs_iso" ;;
	-h|--help) usage ;;
	*) usage ;;
	esac
done

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt-get source needs deb-src entries; bookworm-security carries the newest xen sources
# for some packages, the others come from bookworm and bookworm-updates.
add_deb_src() {
	[ -f "$SRC_LIST" ] && return 0
	echo "setup: adding deb-src entries in $SRC_LIST"
	as_root tee "$SRC_LIST" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	as_root apt-get update -qq
}

missing_packages() {
	for p in $want; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			echo "$p"
	done | sort -u
}

add_deb_src
missing=$(missing_packages)
if [ -n "$missing" ]; then
	echo "setup: installing: $(echo "$missing" | tr '\n' ' ')"
	as_root apt-get update -qq
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$missing >/dev/null
fi
