#!/bin/sh
# Check that a bzImage is what Xen's domain builder can load as a PV and as a PVH guest: a
# bzImage (boot protocol >= 2.08) whose payload, found and decompressed the way
# libxenguest's bzImage loader does it, is an LZ4 (legacy frame, as the kernel writes it)
# or gzip-compressed ELF carrying the Xen ELF notes, PHYS32_ENTRY included, pointing into
# the kernel's loaded text. Every libxenguest has both decoders (its own LZ4, and zlib).
#
# usage: kernel-config/check-image.sh BZIMAGE
set -eu

usage() { echo "usage: $0 BZIMAGE" >&2; exit 2; }

[ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] && usage
[ $# -eq 1 ] || usage
image=$1
[ -r "$image" ] || { echo "check-image: cannot read $image" >&2; exit 2; }

fail() { echo "check-image: $image: $*" >&2; exit 1; }

# le_uint OFFSET SIZE: little-endian unsigned integer in the image.
le_uint() {
	od -An -tu"$2" -j "$1" -N "$2" --endian=little "$image" | tr -d ' '
}

[ "$(dd if="$image" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] ||
	fail "no bzImage setup header (HdrS)"
version=$(le_uint 518 2)
[ "$version" -ge 520 ] || fail "boot protocol $version < 2.08: no payload fields"

setup_sects=$(le_uint 497 1)
[ "$setup_sects" -eq 0 ] && setup_sects=4
payload_offset=$(le_uint 584 4)
payload_length=$(le_uint 588 4)
payload_start=$(((setup_sects + 1) * 512 + payload_offset))

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tail -c +$((payload_start + 1)) "$image" | head -c "$payload_length" >"$work/payload"
# The payload carries the decompressed size after the compressed stream, which each tool
# reads as trailing garbage: a non-empty output is what counts.
case "$(od -An -tx1 -N4 "$work/payload" | tr -d ' ')" in
02214c18) format=LZ4 && { lz4 -dc <"$work/payload" >"$work/vmlinux" 2>/dev/null || true; } ;;
1f8b*) format=gzip && { gzip -dc <"$work/payload" >"$work/vmlinux" 2>/dev/null || true; } ;;
*) fail "payload is neither LZ4 nor gzip (set CONFIG_KERNEL_LZ4)" ;;
esac
[ -s "$work/vmlinux" ] || fail "payload does not decompress"
[ "$(od -An -c -j1 -N3 "$work/vmlinux" | tr -d ' ')" = ELF ] || fail "payload is not an ELF"

# xen_notes: the "Xen" ELF notes in the payload, one per line: type and the first word of
# the description (decimal). Each note is namesz, descsz, type, then name and desc padded to
# 4 bytes; "Xen\0" read as a little-endian word is 7234904.
xen_notes() {
	objcopy -O binary --only-section=.notes "$work/vmlinux" "$work/notes"
	od -An -tu4 -v --endian=little "$work/notes" | tr -s ' ' '\n' | sed '/^$/d' |
		awk '{ w[n++] = $1 }
		END {
			for (i = 0; i + 3 <= n; i += 3 + int((w[i] + 3) / 4) + int((w[i + 1] + 3) / 4))
				if (w[i] == 4 && w[i + 3] == 7234904)
					print w[i + 2], w[i + 4]
		}'
}

xen_notes >"$work/xen-notes"
types=$(cut -d' ' -f1 "$work/xen-notes" | sort -n | tr '\n' ' ')
types=${types% }
# What the PV builder needs (xen/include/public/elfnote.h): ENTRY 1, VIRT_BASE 3,
# XEN_VERSION 5, GUEST_OS 6, LOADER 8, FEATURES 10, and SUSPEND_CANCEL 14, without which
# a checkpoint (xl save -c) cannot resume the domain in place. For PVH, Xen's ELF loader
# refuses an HVM-container kernel without PHYS32_ENTRY 18 (CONFIG_XEN_PVH).
for note in 1 3 5 6 8 10 14 18; do
	case " $types " in
	*" $note "*) ;;
	*) fail "Xen ELF note $note missing from the payload (found: $types)" ;;
	esac
done

# in_executable_load ADDR: ADDR lies inside an executable PT_LOAD segment, by physical
# address (readelf -lW: Type Offset VirtAddr PhysAddr FileSiz MemSiz Flg Align, where the
# flags are "R E", two words).
in_executable_load() {
	readelf -lW "$work/vmlinux" | {
		while read -r type _ _ paddr _ memsz flags; do
			[ "$type" = LOAD ] || continue
			case "$flags" in *E*) ;; *) continue ;; esac
			[ "$1" -ge $((paddr)) ] && [ "$1" -lt $((paddr + memsz)) ] && exit 0
		done
		exit 1
	}
}

# PVH starts the kernel in 32-bit protected mode at the physical address PHYS32_ENTRY.
phys_entry=$(awk '$1 == 18 { print $2 }' "$work/xen-notes")
in_executable_load "$phys_entry" ||
	fail "PHYS32_ENTRY $(printf '%#x' "$phys_entry") is not in an executable PT_LOAD segment"
echo "check-image: $image: bzImage $((version >> 8)).$((version & 255)), $format payload" \
	"$payload_length bytes, ELF $(wc -c <"$work/vmlinux") bytes with Xen notes $types," \
	"PVH entry $(printf '%#x' "$phys_entry")"
