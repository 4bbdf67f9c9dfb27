#!/bin/sh
# Install the xen-test-vm on a XenServer / XCP-ng host over ssh, or remove it again.
#
# Install: copies out/image/{vmlinuz,initrd.img} to /var/lib/xcp/guest/ (the only dom0
# directory xapi accepts direct-boot files from), creates a VM with `xe vm-create` and
# configures it to boot that kernel directly as a PVH guest (--mode pvh, the default) or a
# PV guest (--mode pv); the new VM's UUID is the only line on stdout.
#
# Why PVH by default: XCP-ng dropped PV guests in 8.1 and offers PVH (experimental) in
# 8.3; XenServer 8's xapi accepts both; the original xen-test-vm (a Mirage unikernel)
# installs itself as PVH too. PV remains for hosts that still run PV guests.
#
# Remove: shuts the VM down (hard), uninstalls it and deletes its boot files.
#
# Every remote step is one `ssh HOST 'xe ...'` (or `scp`); --dry-run prints them instead.
set -eu

PROG=${0##*/}
GUEST_DIR=/var/lib/xcp/guest
PV_ARGS='xen.userspace_shutdown=1 console=hvc0'
DESCRIPTION='xen-test-vm: test guest for toolstack shutdown/suspend handling'
UUID_RE='^[0-9a-f]\{8\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{12\}$'

# Default memory per mode, in MiB; the static and dynamic limits are all set to it.
# The floors measured under xl in the lab (docs/lab.md "Memory floor"), where the whole
# lab matrix passes: PV 9 MiB (8 MiB cannot be built, docs/kernel.md), PVH 10 MiB (at 8
# and 9 MiB the domain is built but the guest never becomes ready).
# Neither was tried under XenServer's own domain builder (xenopsd); -m overrides.
DEFAULT_MEMORY_MIB_PVH=10
DEFAULT_MEMORY_MIB_PV=9
DEFAULT_MODE=pvh

host=""
image_dir=out/image
name=xen-test-vm
mode=$DEFAULT_MODE
memory_mib=""  # empty: the default of the mode
dry_run=0
remove=""

usage() {
	cat <<EOF
usage: $PROG [options] HOST
       $PROG [options] --remove UUID|NAME HOST

Install the xen-test-vm on the XenServer/XCP-ng host HOST (ssh as root unless HOST is
USER@HOST) and print the new VM's UUID, or remove an installed VM and its boot files.

  -i, --image DIR      directory with vmlinuz and initrd.img (default: $image_dir)
  -n, --name NAME      VM name-label (default: $name)
      --mode pvh|pv    guest type (default: $DEFAULT_MODE). pvh: XenServer 8, XCP-ng 8.3;
                       pv: XenServer 8 only (XCP-ng runs no PV guests since 8.1)
  -m, --memory MIB     memory in MiB; static and dynamic limits are all set to it
                       (default: $DEFAULT_MEMORY_MIB_PVH for pvh, $DEFAULT_MEMORY_MIB_PV for pv)
  -r, --remove VM      shut down, uninstall and delete the boot files of VM (UUID or
                       name-label; a name must match exactly one VM)
  -d, --dry-run        print the commands instead of running them; contacts no host
  -h, --help           show this help
EOF
}

die() {
	echo "$PROG: $*" >&2
	exit 1
}

usage_error() {
	echo "$PROG: $*" >&2
	usage >&2
	exit 2
}

say() {
	echo "$PROG: $*" >&2
}

# quote WORD: WORD as one shell word (single-quoted unless it is plainly safe).
quote() {
	case "$1" in
	'' | *[!A-Za-z0-9_./:=@,+-]*)
		printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
		;;
	*) printf '%s' "$1" ;;
	esac
}

# quote_all WORD...: the words quoted and joined by spaces, as a remote shell reads them.
quote_all() {
	sep=""
	for word in "$@"; do
		printf '%s%s' "$sep" "$(quote "$word")"
		sep=" "
	done
}

# run CMD...: run a local command (ssh, scp), or print it under --dry-run.
run() {
	if [ "$dry_run" -eq 1 ]; then
		printf '%s\n' "$(quote_all "$@")" >&3
	else
		"$@"
	fi
}

# remote WORD...: run one command on the host; the words are quoted for its shell.
remote() {
	run ssh "$target" "$(quote_all "$@")"
}

# query PLACEHOLDER WORD...: the output of a remote command; under --dry-run the
# command is printed and PLACEHOLDER stands for its answer.
query() {
	placeholder=$1
	shift
	if [ "$dry_run" -eq 1 ]; then
		remote "$@"
		printf '%s\n' "$placeholder"
	else
		remote "$@"
	fi
}

is_uuid() {
	printf '%s\n' "$1" | grep -q "$UUID_RE"
}

parse_args() {
	hosts=""
	count=0
	while [ $# -gt 0 ]; do
		case "$1" in
		-h | --help) usage; exit 0 ;;
		-d | --dry-run) dry_run=1 ;;
		-i | --image | -n | --name | --mode | -m | --memory | -r | --remove)
			[ $# -ge 2 ] || usage_error "option $1 needs a value"
			set_option "$1" "$2"
			shift
			;;
		--image=* | --name=* | --mode=* | --memory=* | --remove=*)
			set_option "${1%%=*}" "${1#*=}"
			;;
		--)
			shift
			count=$((count + $#))
			[ $# -eq 0 ] || hosts=$1
			break
			;;
		-*) usage_error "unknown option: $1" ;;
		*)
			count=$((count + 1))
			hosts=$1
			;;
		esac
		shift
	done
	[ "$count" -eq 1 ] || usage_error "expected exactly one HOST, got $count"
	host=$hosts
	case "$host" in
	'' | -* | @* | *@ | *@*@* | *[!A-Za-z0-9_.@-]*)
		usage_error "bad HOST: '$host' (use a name or address, or USER@HOST)"
		;;
	esac
}

set_option() {
	case "$1" in
	-i | --image) image_dir=$2 ;;
	-n | --name)
		[ -n "$2" ] || usage_error "empty VM name"
		name=$2
		;;
	--mode)
		case "$2" in
		pvh | pv) mode=$2 ;;
		*) usage_error "bad --mode '$2': use pvh or pv" ;;
		esac
		;;
	-m | --memory)
		case "$2" in
		'' | *[!0-9]* | 0*) usage_error "memory must be a positive number of MiB: $2" ;;
		esac
		[ "${#2}" -le 7 ] || usage_error "memory too large: $2 MiB"
		memory_mib=$2
		;;
	-r | --remove)
		[ -n "$2" ] || usage_error "empty VM for --remove"
		remove=$2
		;;
	esac
}

# Remote boot file names carry the VM's UUID: unique per VM, and removable by UUID.
boot_file() {
	printf '%s/xen-test-vm-%s.%s' "$GUEST_DIR" "$1" "$2"
}

install_vm() {
	kernel=$image_dir/vmlinuz
	initrd=$image_dir/initrd.img
	[ -f "$kernel" ] || die "$kernel not found (run make first, or pass --image DIR)"
	[ -f "$initrd" ] || die "$initrd not found (run make first, or pass --image DIR)"
	if [ -z "$memory_mib" ]; then
		case "$mode" in
		pvh) memory_mib=$DEFAULT_MEMORY_MIB_PVH ;;
		pv) memory_mib=$DEFAULT_MEMORY_MIB_PV ;;
		esac
	fi
	bytes=$((memory_mib * 1024 * 1024))
	default_note=""
	[ "$mode" != "$DEFAULT_MODE" ] || default_note=", the default"
	say "installing $name as a $(printf '%s' "$mode" | tr '[:lower:]' '[:upper:]') guest" \
		"(--mode $mode$default_note) with $memory_mib MiB"
	# scp reads a local name with a colon before any slash as HOST:PATH.
	case "$kernel" in /* | ./*) ;; *) kernel=./$kernel ;; esac
	case "$initrd" in /* | ./*) ;; *) initrd=./$initrd ;; esac

	remote mkdir -p "$GUEST_DIR"
	uuid=$(query @UUID@ xe vm-create name-label="$name" name-description="$DESCRIPTION")
	if [ "$dry_run" -eq 0 ]; then
		is_uuid "$uuid" || die "xe vm-create did not return a UUID: $uuid"
		# From here on a failure leaves a half-made VM: remove it again.
		trap 'undo_create' EXIT
	fi
	[ "$dry_run" -eq 1 ] || say "created VM $uuid ($name)"

	run scp "$kernel" "$target:$(boot_file "$uuid" vmlinuz)"
	run scp "$initrd" "$target:$(boot_file "$uuid" initrd.img)"
	# An empty HVM-boot-policy means no hvmloader; a kernel in PV-kernel (and no
	# PV-bootloader) means direct boot, as PVH or PV alike (xapi's builder_of_vm).
	remote xe vm-param-set uuid="$uuid" HVM-boot-policy=
	remote xe vm-param-set uuid="$uuid" PV-bootloader=
	remote xe vm-param-set uuid="$uuid" PV-kernel="$(boot_file "$uuid" vmlinuz)"
	remote xe vm-param-set uuid="$uuid" PV-ramdisk="$(boot_file "$uuid" initrd.img)"
	remote xe vm-param-set uuid="$uuid" PV-args="$PV_ARGS"
	remote xe vm-memory-limits-set uuid="$uuid" \
		static-min="$bytes" static-max="$bytes" dynamic-min="$bytes" dynamic-max="$bytes"
	# Last: setting HVM-boot-policy makes xapi re-derive domain-type from it (pv for an
	# empty policy), so a domain-type set before it would be lost.
	remote xe vm-param-set uuid="$uuid" domain-type="$mode"

	trap - EXIT
	[ "$dry_run" -eq 0 ] || return 0
	say "installed as $mode; start it with: ssh $target xe vm-start uuid=$uuid"
	printf '%s\n' "$uuid"
}

# undo_create: on a failed install, destroy the new VM and its boot files (best effort).
undo_create() {
	status=$?
	[ "$status" -ne 0 ] || return 0
	say "install failed: removing VM $uuid again"
	remote xe vm-destroy uuid="$uuid" || true
	remote rm -f -- "$(boot_file "$uuid" vmlinuz)" "$(boot_file "$uuid" initrd.img)" || true
	exit "$status"
}

# resolve_vm VM: the UUID of the one non-template VM whose uuid or name-label is VM.
resolve_vm() {
	if is_uuid "$1"; then
		field=uuid
	else
		field='name-label'
	fi
	found=$(query @UUID@ xe vm-list "$field=$1" is-control-domain=false is-a-template=false --minimal)
	case "$found" in
	'') die "no VM with $field $1" ;;
	*,*) die "more than one VM is named $1 ($found): pass a UUID" ;;
	esac
	is_uuid "$found" || [ "$dry_run" -eq 1 ] || die "unexpected answer from xe vm-list: $found"
	printf '%s\n' "$found"
}

# safe_boot_file PATH: true if PATH is a plain file name directly in GUEST_DIR.
safe_boot_file() {
	case "$1" in
	"$GUEST_DIR"/*) ;;
	*) return 1 ;;
	esac
	base=${1#"$GUEST_DIR"/}
	case "$base" in
	'' | . | .. | *[!A-Za-z0-9._-]*) return 1 ;;
	esac
}

remove_vm() {
	uuid=$(resolve_vm "$remove")
	kernel=$(query @PV-kernel@ xe vm-param-get uuid="$uuid" param-name=PV-kernel)
	initrd=$(query @PV-ramdisk@ xe vm-param-get uuid="$uuid" param-name=PV-ramdisk)
	state=$(query @power-state@ xe vm-param-get uuid="$uuid" param-name=power-state)
	if [ "$state" != halted ]; then
		remote xe vm-shutdown uuid="$uuid" --force
	fi
	remote xe vm-uninstall uuid="$uuid" --force
	[ "$dry_run" -eq 1 ] || say "removed VM $uuid"
	for file in "$kernel" "$initrd"; do
		remove_boot_file "$file"
	done
}

# remove_boot_file PATH: delete a boot file of the removed VM, unless it is outside
# GUEST_DIR or another VM still boots from it.
remove_boot_file() {
	file=$1
	if [ "$dry_run" -eq 1 ]; then
		remote rm -f -- "$file"
		return 0
	fi
	[ -n "$file" ] || return 0
	if ! safe_boot_file "$file"; then
		say "not deleting $file: not a file in $GUEST_DIR"
		return 0
	fi
	users=$(remote xe vm-list PV-kernel="$file" --minimal)$(remote xe vm-list PV-ramdisk="$file" --minimal)
	if [ -n "$users" ]; then
		say "not deleting $file: still used by VM $users"
		return 0
	fi
	remote rm -f -- "$file"
}

main() {
	parse_args "$@"
	# Under --dry-run the commands go to the real stdout, also from inside $(...).
	exec 3>&1
	case "$host" in
	*@*) target=$host ;;
	*) target=root@$host ;;
	esac
	if [ -n "$remove" ]; then
		remove_vm
	else
		install_vm
	fi
}

main "$@"
