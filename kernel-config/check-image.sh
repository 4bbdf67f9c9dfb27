#!/bin/sh
# Check that a bzImage is what Xen's PV domain builder can load: a bzImage (boot
# protocol >= 2.08) whose payload, found and decompressed the way libxenguest's
# bzImage loader does it, is a gzip-compressed ELF carrying the Xen ELF notes.
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
[ "$(od -An -tx1 -N2 "$work/payload" | tr -d ' ')" = 1f8b ] ||
	fail "payload is not gzip (set CONFIG_KERNEL_GZIP)"
# The payload carries the decompressed size after the gzip stream: ignore that warning.
gzip -dc <"$work/payload" >"$work/vmlinux" 2>/dev/null || [ -s "$work/vmlinux" ] ||
	fail "payload does not decompress"
[ "$(od -An -c -j1 -N3 "$work/vmlinux" | tr -d ' ')" = ELF ] || fail "payload is not an ELF"

# xen_note_types: the types of the "Xen" ELF notes in the payload, one per line (decimal).
# Each note is namesz, descsz, type, then name and desc padded to 4 bytes; "Xen\0" read as
# a little-endian word is 7234904.
xen_note_types() {
	objcopy -O binary --only-section=.notes "$work/vmlinux" "$work/notes"
	od -An -tu4 -v --endian=little "$work/notes" | tr -s ' ' '\n' | sed '/^$/d' |
		awk '{ w[n++] = $1 }
		END {
			for (i = 0; i + 3 <= n; i += 3 + int((w[i] + 3) / 4) + int((w[i + 1] + 3) / 4))
				if (w[i] == 4 && w[i + 3] == 7234904)
					print w[i + 2]
		}'
}

types=$(xen_note_types | sort -n | tr '\n' ' ')
types=${types% }
# What the PV builder needs (xen/include/public/elfnote.h): ENTRY 1, VIRT_BASE 3,
# XEN_VERSION 5, GUEST_OS 6, LOADER 8, FEATURES 10, and SUSPEND_CANCEL 14, without which
# a checkpoint (xl save -c) cannot resume the domain in place.
for note in 1 3 5 6 8 10 14; do
	case " $types " in
	*" $note "*) ;;
	*) fail "Xen ELF note $note missing from the payload (found: $types)" ;;
	esac
done
echo "check-image: $image: bzImage $((version >> 8)).$((version & 255)), gzip payload" \
	"$payload_length bytes, ELF $(wc -c <"$work/vmlinux") bytes with Xen notes $types"
