#!/bin/sh
# Tests for install/xenserver-install.sh against a recording stand-in, plus shellcheck
# on every shell script in install/, tests/, scripts/ and mkimage.sh.
#
# The stand-in (tests/install/stand-in): PATH-prepended ssh and scp that log their argv;
# ssh runs the remote command string with a shell that only finds the fake host's xe,
# mkdir and rm, which log their argv too and keep a small VM database and file system in
# a temporary directory. No real XenServer is involved; see docs/install.md.
#
# usage: tests/install/run.sh [-h]     Last line: "N passed, N failed"; exit 1 on failure.
set -eu

case "${1:-}" in
-h | --help) echo "usage: $0 [-h]"; exit 0 ;;
'') ;;
*) echo "usage: $0 [-h]" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
INSTALLER=$top/install/xenserver-install.sh
GUEST=/var/lib/xcp/guest
DESC='xen-test-vm: test guest for toolstack shutdown/suspend handling'
U1=00000001-0000-4000-8000-000000000001
U2=00000002-0000-4000-8000-000000000002
MIB_PVH=10485760  # the installer's default memory for PVH, in bytes
MIB_PV=9437184  # and for PV

passed=0
failed=0
work=$(mktemp -d "${TMPDIR:-/tmp}/xtv-install-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

pass() {
	passed=$((passed + 1))
	echo "PASS: $1"
}

fail() {
	failed=$((failed + 1))
	echo "FAIL: $1"
}

# check DESCRIPTION COMMAND...: pass if COMMAND succeeds.
check() {
	desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

# fresh: a new fake host (empty file system and VM database), log and image directory.
fresh() {
	rm -rf "$work/case"
	mkdir -p "$work/case/root" "$work/case/image"
	FAKE_ROOT=$work/case/root
	FAKE_LOG=$work/case/log
	FAKE_HOST_BIN=$here/stand-in/host
	IMG=$work/case/image
	unset FAKE_FAIL FAKE_CREATE_ANSWER || true
	export FAKE_ROOT FAKE_LOG FAKE_HOST_BIN
	: >"$FAKE_LOG"
	echo "kernel bytes" >"$IMG/vmlinuz"
	echo "initrd bytes" >"$IMG/initrd.img"
}

# installer ARG...: run the installer with the stand-in first in PATH; sets $status and
# leaves stdout/stderr in $work/case/{out,err}.
installer() {
	status=0
	PATH="$here/stand-in/local:$PATH" "$INSTALLER" "$@" \
		>"$work/case/out" 2>"$work/case/err" || status=$?
}

# same_text FILE: FILE has exactly the text on stdin (a diff is shown otherwise).
same_text() {
	if cat | diff -u - "$1" >"$work/diff"; then
		return 0
	fi
	sed 's/^/    /' "$work/diff"
	return 1
}

status_is() { [ "$status" -eq "$1" ] || { echo "    exit status $status, expected $1"; return 1; }; }
stdout_is() { same_text "$work/case/out"; }
log_is() { same_text "$FAKE_LOG"; }
log_empty() { [ ! -s "$FAKE_LOG" ] || { sed 's/^/    /' "$FAKE_LOG"; return 1; }; }
stderr_has() { grep -qF -- "$1" "$work/case/err" || { sed 's/^/    /' "$work/case/err"; return 1; }; }
field_is() { [ "$(cat "$FAKE_ROOT/xapi/$1/$2")" = "$3" ] || { echo "    $2 of $1 is '$(cat "$FAKE_ROOT/xapi/$1/$2")'"; return 1; }; }
vm_exists() { [ -d "$FAKE_ROOT/xapi/$1" ]; }
no_vm() { ! vm_exists "$1"; }
host_file_is() { cmp -s "$FAKE_ROOT$1" "$2"; }
host_file_gone() { [ ! -e "$FAKE_ROOT$1" ]; }
host_untouched() { [ -z "$(ls -A "$FAKE_ROOT")" ]; }

# memory_is UUID BYTES: all four memory limits of the VM are BYTES.
memory_is() {
	for limit in static-min static-max dynamic-min dynamic-max; do
		field_is "$1" "memory-$limit" "$2" || return 1
	done
}

# log_line PATTERN: the number of the first line of the log that has PATTERN (fixed string).
log_line() {
	grep -nF -- "$1" "$FAKE_LOG" | head -n 1 | cut -d: -f1
}

# set_after UUID LATER EARLIER: the xe vm-param-set of LATER ran after that of EARLIER.
set_after() {
	later=$(log_line "host: xe [vm-param-set] [uuid=$1] [$2]")
	earlier=$(log_line "host: xe [vm-param-set] [uuid=$1] [$3]")
	[ -n "$later" ] && [ -n "$earlier" ] && [ "$later" -gt "$earlier" ] && return 0
	echo "    '$2' set at log line '${later:-never}', '$3' at '${earlier:-never}'"
	return 1
}

# last_xe_is ARGS: the last xe command on the host had exactly ARGS (as logged).
last_xe_is() {
	last=$(grep '^host: xe ' "$FAKE_LOG" | tail -n 1)
	[ "$last" = "host: xe $1" ] || { echo "    last xe command: $last"; return 1; }
}

# expected_install TARGET UUID NAME-WORD NAME BYTES MODE: the log of a complete install;
# NAME-WORD is the name-label argument as quoted for the remote shell.
expected_install() {
	cat <<EOF
ssh [$1] [mkdir -p $GUEST]
host: mkdir [-p] [$GUEST]
ssh [$1] [xe vm-create $3 'name-description=$DESC']
host: xe [vm-create] [name-label=$4] [name-description=$DESC]
scp [$IMG/vmlinuz] [$1:$GUEST/xen-test-vm-$2.vmlinuz]
scp [$IMG/initrd.img] [$1:$GUEST/xen-test-vm-$2.initrd.img]
ssh [$1] [xe vm-param-set uuid=$2 HVM-boot-policy=]
host: xe [vm-param-set] [uuid=$2] [HVM-boot-policy=]
ssh [$1] [xe vm-param-set uuid=$2 PV-bootloader=]
host: xe [vm-param-set] [uuid=$2] [PV-bootloader=]
ssh [$1] [xe vm-param-set uuid=$2 PV-kernel=$GUEST/xen-test-vm-$2.vmlinuz]
host: xe [vm-param-set] [uuid=$2] [PV-kernel=$GUEST/xen-test-vm-$2.vmlinuz]
ssh [$1] [xe vm-param-set uuid=$2 PV-ramdisk=$GUEST/xen-test-vm-$2.initrd.img]
host: xe [vm-param-set] [uuid=$2] [PV-ramdisk=$GUEST/xen-test-vm-$2.initrd.img]
ssh [$1] [xe vm-param-set uuid=$2 'PV-args=xen.userspace_shutdown=1 console=hvc0']
host: xe [vm-param-set] [uuid=$2] [PV-args=xen.userspace_shutdown=1 console=hvc0]
ssh [$1] [xe vm-memory-limits-set uuid=$2 static-min=$5 static-max=$5 dynamic-min=$5 dynamic-max=$5]
host: xe [vm-memory-limits-set] [uuid=$2] [static-min=$5] [static-max=$5] [dynamic-min=$5] [dynamic-max=$5]
ssh [$1] [xe vm-param-set uuid=$2 domain-type=$6]
host: xe [vm-param-set] [uuid=$2] [domain-type=$6]
EOF
}

# check_direct_boot WHAT UUID: the VM boots the copied kernel and initrd from $GUEST with
# the guest's command line, and nothing else (no bootloader, no hvmloader).
check_direct_boot() {
	check "$1: kernel copied to $GUEST" host_file_is "$GUEST/xen-test-vm-$2.vmlinuz" "$IMG/vmlinuz"
	check "$1: initrd copied to $GUEST" host_file_is "$GUEST/xen-test-vm-$2.initrd.img" "$IMG/initrd.img"
	check "$1: PV-kernel is the copy in $GUEST" field_is "$2" PV-kernel "$GUEST/xen-test-vm-$2.vmlinuz"
	check "$1: PV-ramdisk is the copy in $GUEST" field_is "$2" PV-ramdisk "$GUEST/xen-test-vm-$2.initrd.img"
	check "$1: PV-args" field_is "$2" PV-args "xen.userspace_shutdown=1 console=hvc0"
	check "$1: no PV-bootloader" field_is "$2" PV-bootloader ""
	check "$1: no HVM-boot-policy" field_is "$2" HVM-boot-policy ""
}

test_install_default() {
	fresh
	installer -i "$IMG" xs1
	check "install: exit 0" status_is 0
	check "install: stdout is only the new VM's UUID" stdout_is <<EOF
$U1
EOF
	check "install: exact ssh/scp/xe commands, PVH by default" log_is <<EOF
$(expected_install root@xs1 "$U1" name-label=xen-test-vm xen-test-vm "$MIB_PVH" pvh)
EOF
	check "install: says it installs PVH by default" stderr_has "as a PVH guest (--mode pvh, the default) with 10 MiB"
	check "install: domain-type pvh" field_is "$U1" domain-type pvh
	check "install: domain-type set after HVM-boot-policy" set_after "$U1" domain-type=pvh HVM-boot-policy=
	check "install: domain-type is the last xe command" last_xe_is "[vm-param-set] [uuid=$U1] [domain-type=pvh]"
	check_direct_boot install "$U1"
	check "install: all four memory limits at the PVH default, 10 MiB" memory_is "$U1" "$MIB_PVH"
	check "install: name-label" field_is "$U1" name-label xen-test-vm
}

test_install_modes() {
	fresh
	installer --mode pv -i "$IMG" xs1
	check "install --mode pv: exit 0" status_is 0
	check "install --mode pv: stdout is only the new VM's UUID" stdout_is <<EOF
$U1
EOF
	check "install --mode pv: exact ssh/scp/xe commands" log_is <<EOF
$(expected_install root@xs1 "$U1" name-label=xen-test-vm xen-test-vm "$MIB_PV" pv)
EOF
	check "install --mode pv: says so" stderr_has "as a PV guest (--mode pv) with 9 MiB"
	check "install --mode pv: domain-type pv" field_is "$U1" domain-type pv
	check "install --mode pv: domain-type set after HVM-boot-policy" set_after "$U1" domain-type=pv HVM-boot-policy=
	check_direct_boot "install --mode pv" "$U1"
	check "install --mode pv: all four memory limits at the PV default, 9 MiB" memory_is "$U1" "$MIB_PV"

	fresh
	installer --mode=pvh -m 28 -i "$IMG" xs1
	check "install --mode=pvh -m 28: exit 0" status_is 0
	check "install --mode=pvh -m 28: exact ssh/scp/xe commands" log_is <<EOF
$(expected_install root@xs1 "$U1" name-label=xen-test-vm xen-test-vm 29360128 pvh)
EOF
	check "install --mode=pvh -m 28: domain-type pvh" field_is "$U1" domain-type pvh
	check "install --mode=pvh -m 28: all four memory limits 28 MiB" memory_is "$U1" 29360128

	fresh
	installer --mode pvh --mode pv -i "$IMG" xs1
	check "install with --mode twice: the last one counts" field_is "$U1" domain-type pv
}

# The stand-in re-derives domain-type when HVM-boot-policy is set, as xapi does: the
# order checks above depend on that.
test_stand_in_resets_domain_type() {
	fresh
	fake_ssh=$here/stand-in/local/ssh
	"$fake_ssh" root@xs1 "xe vm-create name-label=probe" >/dev/null
	"$fake_ssh" root@xs1 "xe vm-param-set uuid=$U1 domain-type=pvh"
	"$fake_ssh" root@xs1 "xe vm-param-set uuid=$U1 HVM-boot-policy="
	check "stand-in: HVM-boot-policy set after domain-type=pvh resets it to pv" field_is "$U1" domain-type pv
}

test_install_options() {
	fresh
	installer --name "my test vm" --memory 32 --image "$IMG" admin@xs2
	check "install with options: exit 0" status_is 0
	check "install with options: exact commands (quoted name, 32 MiB, USER@HOST)" log_is <<EOF
$(expected_install admin@xs2 "$U1" "'name-label=my test vm'" "my test vm" 33554432 pvh)
EOF
	check "install with options: name-label with spaces arrives as one word" field_is "$U1" name-label "my test vm"
	check "install with options: static-min 32 MiB" field_is "$U1" memory-static-min 33554432

	fresh
	(cd "$work/case" && PATH="$here/stand-in/local:$PATH" "$INSTALLER" -i image xs1 >out 2>err) && status=0 || status=$?
	check "install from a relative image dir: exit 0" status_is 0
	check "install from a relative image dir: scp gets ./image/vmlinuz" grep -qF "scp [./image/vmlinuz] [root@xs1:$GUEST/xen-test-vm-$U1.vmlinuz]" "$FAKE_LOG"
}

test_install_failures() {
	fresh
	FAKE_FAIL=".initrd.img" installer -i "$IMG" xs1
	check "scp failure: exit non-zero" [ "$status" -ne 0 ]
	check "scp failure: no UUID on stdout" stdout_is </dev/null
	check "scp failure: the half-made VM is destroyed" no_vm "$U1"
	check "scp failure: its copied kernel is removed" host_file_gone "$GUEST/xen-test-vm-$U1.vmlinuz"
	check "scp failure: cleanup commands" log_is <<EOF
$(expected_install root@xs1 "$U1" name-label=xen-test-vm xen-test-vm "$MIB_PVH" pvh | sed -n '1,6p')
ssh [root@xs1] [xe vm-destroy uuid=$U1]
host: xe [vm-destroy] [uuid=$U1]
ssh [root@xs1] [rm -f -- $GUEST/xen-test-vm-$U1.vmlinuz $GUEST/xen-test-vm-$U1.initrd.img]
host: rm [-f] [--] [$GUEST/xen-test-vm-$U1.vmlinuz] [$GUEST/xen-test-vm-$U1.initrd.img]
EOF

	fresh
	FAKE_CREATE_ANSWER="Error: something" installer -i "$IMG" xs1
	check "vm-create answers no UUID: exit 1" status_is 1
	check "vm-create answers no UUID: says so" stderr_has "did not return a UUID"
	check "vm-create answers no UUID: nothing copied" [ "$(grep -c '^scp' "$FAKE_LOG")" -eq 0 ]

	fresh
	rm "$IMG/initrd.img"
	installer -i "$IMG" xs1
	check "missing initrd: exit 1" status_is 1
	check "missing initrd: names the file" stderr_has "$IMG/initrd.img not found"
	check "missing initrd: host not contacted" log_empty
}

# installed [NAME]: a fresh host with one VM installed by the installer.
installed() {
	fresh
	installer -i "$IMG" -n "${1:-xen-test-vm}" xs1
	[ "$status" -eq 0 ] || { echo "    setup install failed: $(cat "$work/case/err")"; return 1; }
	: >"$FAKE_LOG"
}

test_remove() {
	installed
	echo running >"$FAKE_ROOT/xapi/$U1/power-state"
	installer --remove "$U1" xs1
	check "remove running VM by UUID: exit 0" status_is 0
	check "remove running VM by UUID: exact commands" log_is <<EOF
ssh [root@xs1] [xe vm-list uuid=$U1 is-control-domain=false is-a-template=false --minimal]
host: xe [vm-list] [uuid=$U1] [is-control-domain=false] [is-a-template=false] [--minimal]
ssh [root@xs1] [xe vm-param-get uuid=$U1 param-name=PV-kernel]
host: xe [vm-param-get] [uuid=$U1] [param-name=PV-kernel]
ssh [root@xs1] [xe vm-param-get uuid=$U1 param-name=PV-ramdisk]
host: xe [vm-param-get] [uuid=$U1] [param-name=PV-ramdisk]
ssh [root@xs1] [xe vm-param-get uuid=$U1 param-name=power-state]
host: xe [vm-param-get] [uuid=$U1] [param-name=power-state]
ssh [root@xs1] [xe vm-shutdown uuid=$U1 --force]
host: xe [vm-shutdown] [uuid=$U1] [--force]
ssh [root@xs1] [xe vm-uninstall uuid=$U1 --force]
host: xe [vm-uninstall] [uuid=$U1] [--force]
ssh [root@xs1] [xe vm-list PV-kernel=$GUEST/xen-test-vm-$U1.vmlinuz --minimal]
host: xe [vm-list] [PV-kernel=$GUEST/xen-test-vm-$U1.vmlinuz] [--minimal]
ssh [root@xs1] [xe vm-list PV-ramdisk=$GUEST/xen-test-vm-$U1.vmlinuz --minimal]
host: xe [vm-list] [PV-ramdisk=$GUEST/xen-test-vm-$U1.vmlinuz] [--minimal]
ssh [root@xs1] [rm -f -- $GUEST/xen-test-vm-$U1.vmlinuz]
host: rm [-f] [--] [$GUEST/xen-test-vm-$U1.vmlinuz]
ssh [root@xs1] [xe vm-list PV-kernel=$GUEST/xen-test-vm-$U1.initrd.img --minimal]
host: xe [vm-list] [PV-kernel=$GUEST/xen-test-vm-$U1.initrd.img] [--minimal]
ssh [root@xs1] [xe vm-list PV-ramdisk=$GUEST/xen-test-vm-$U1.initrd.img --minimal]
host: xe [vm-list] [PV-ramdisk=$GUEST/xen-test-vm-$U1.initrd.img] [--minimal]
ssh [root@xs1] [rm -f -- $GUEST/xen-test-vm-$U1.initrd.img]
host: rm [-f] [--] [$GUEST/xen-test-vm-$U1.initrd.img]
EOF
	check "remove running VM by UUID: VM gone" no_vm "$U1"
	check "remove running VM by UUID: kernel deleted" host_file_gone "$GUEST/xen-test-vm-$U1.vmlinuz"
	check "remove running VM by UUID: initrd deleted" host_file_gone "$GUEST/xen-test-vm-$U1.initrd.img"

	installed test-a
	installer -r test-a xs1
	check "remove halted VM by name: exit 0" status_is 0
	check "remove halted VM by name: looked up by name-label" grep -qF "host: xe [vm-list] [name-label=test-a] [is-control-domain=false] [is-a-template=false] [--minimal]" "$FAKE_LOG"
	check "remove halted VM by name: no vm-shutdown for a halted VM" [ "$(grep -c 'vm-shutdown' "$FAKE_LOG")" -eq 0 ]
	check "remove halted VM by name: VM gone" no_vm "$U1"

	installed twin
	installer -i "$IMG" -n twin xs1
	: >"$FAKE_LOG"
	installer --remove twin xs1
	check "remove ambiguous name: exit 1" status_is 1
	check "remove ambiguous name: lists both UUIDs" stderr_has "more than one VM is named twin ($U1,$U2)"
	check "remove ambiguous name: both VMs kept" vm_exists "$U1"
	check "remove ambiguous name: second VM kept" vm_exists "$U2"
	check "remove ambiguous name: only the lookup ran" [ "$(grep -c '^ssh' "$FAKE_LOG")" -eq 1 ]

	installed tmpl
	installer -i "$IMG" -n tmpl xs1
	printf true >"$FAKE_ROOT/xapi/$U1/is-a-template"
	: >"$FAKE_LOG"
	installer --remove tmpl xs1
	check "remove a name also used by a template: exit 0" status_is 0
	check "remove a name also used by a template: template kept" vm_exists "$U1"
	check "remove a name also used by a template: the VM removed" no_vm "$U2"

	installed
	installer --remove no-such-vm xs1
	check "remove unknown VM: exit 1" status_is 1
	check "remove unknown VM: says so" stderr_has "no VM with name-label no-such-vm"
	check "remove unknown VM: existing VM kept" vm_exists "$U1"

	installed a
	installer -i "$IMG" -n b xs1
	# VM b boots from a's kernel too: removing a must keep that file.
	echo "$GUEST/xen-test-vm-$U1.vmlinuz" | tr -d '\n' >"$FAKE_ROOT/xapi/$U2/PV-kernel"
	installer --remove a xs1
	check "remove with a shared kernel: exit 0" status_is 0
	check "remove with a shared kernel: shared file kept" [ -f "$FAKE_ROOT$GUEST/xen-test-vm-$U1.vmlinuz" ]
	check "remove with a shared kernel: says why" stderr_has "still used by VM $U2"
	check "remove with a shared kernel: own initrd deleted" host_file_gone "$GUEST/xen-test-vm-$U1.initrd.img"

	installed
	printf '%s' /boot/vmlinuz >"$FAKE_ROOT/xapi/$U1/PV-kernel"
	printf '%s' "$GUEST/../../etc/passwd" >"$FAKE_ROOT/xapi/$U1/PV-ramdisk"
	installer --remove "$U1" xs1
	check "remove with boot files outside $GUEST: exit 0" status_is 0
	check "remove with boot files outside $GUEST: no rm at all" [ "$(grep -c 'rm \[' "$FAKE_LOG")" -eq 0 ]
	check "remove with boot files outside $GUEST: says so" stderr_has "not deleting $GUEST/../../etc/passwd"
}

test_dry_run() {
	fresh
	installer --dry-run -i "$IMG" xs1
	check "dry-run install: exit 0" status_is 0
	check "dry-run install: prints the commands" stdout_is <<EOF
ssh root@xs1 'mkdir -p $GUEST'
ssh root@xs1 'xe vm-create name-label=xen-test-vm '\\''name-description=$DESC'\\'''
scp $IMG/vmlinuz root@xs1:$GUEST/xen-test-vm-@UUID@.vmlinuz
scp $IMG/initrd.img root@xs1:$GUEST/xen-test-vm-@UUID@.initrd.img
ssh root@xs1 'xe vm-param-set uuid=@UUID@ HVM-boot-policy='
ssh root@xs1 'xe vm-param-set uuid=@UUID@ PV-bootloader='
ssh root@xs1 'xe vm-param-set uuid=@UUID@ PV-kernel=$GUEST/xen-test-vm-@UUID@.vmlinuz'
ssh root@xs1 'xe vm-param-set uuid=@UUID@ PV-ramdisk=$GUEST/xen-test-vm-@UUID@.initrd.img'
ssh root@xs1 'xe vm-param-set uuid=@UUID@ '\\''PV-args=xen.userspace_shutdown=1 console=hvc0'\\'''
ssh root@xs1 'xe vm-memory-limits-set uuid=@UUID@ static-min=$MIB_PVH static-max=$MIB_PVH dynamic-min=$MIB_PVH dynamic-max=$MIB_PVH'
ssh root@xs1 'xe vm-param-set uuid=@UUID@ domain-type=pvh'
EOF
	check "dry-run install: no ssh/scp run" log_empty
	check "dry-run install: host untouched" host_untouched

	fresh
	installer -d --remove=old-vm xs1
	check "dry-run remove: exit 0" status_is 0
	check "dry-run remove: prints the commands" stdout_is <<EOF
ssh root@xs1 'xe vm-list name-label=old-vm is-control-domain=false is-a-template=false --minimal'
ssh root@xs1 'xe vm-param-get uuid=@UUID@ param-name=PV-kernel'
ssh root@xs1 'xe vm-param-get uuid=@UUID@ param-name=PV-ramdisk'
ssh root@xs1 'xe vm-param-get uuid=@UUID@ param-name=power-state'
ssh root@xs1 'xe vm-shutdown uuid=@UUID@ --force'
ssh root@xs1 'xe vm-uninstall uuid=@UUID@ --force'
ssh root@xs1 'rm -f -- @PV-kernel@'
ssh root@xs1 'rm -f -- @PV-ramdisk@'
EOF
	check "dry-run remove: no ssh run" log_empty

	fresh
	# The printed commands are runnable: feed them to a shell with the stand-in.
	installer --dry-run -i "$IMG" xs1
	sed "s/@UUID@/$U1/g" "$work/case/out" >"$work/case/script"
	status=0
	PATH="$here/stand-in/local:$PATH" sh -e "$work/case/script" >/dev/null 2>&1 || status=$?
	check "dry-run install: its output runs against the stand-in" status_is 0
	check "dry-run install: running its output sets PV-args" field_is "$U1" PV-args "xen.userspace_shutdown=1 console=hvc0"
	check "dry-run install: running its output sets name-description" field_is "$U1" name-description "$DESC"
	check "dry-run install: running its output makes a PVH VM" field_is "$U1" domain-type pvh

	fresh
	installer --dry-run --mode pv -i "$IMG" xs1
	check "dry-run install --mode pv: exit 0" status_is 0
	check "dry-run install --mode pv: sets domain-type pv, last" [ "$(tail -n 1 "$work/case/out")" = "ssh root@xs1 'xe vm-param-set uuid=@UUID@ domain-type=pv'" ]
	check "dry-run install --mode pv: no ssh/scp run" log_empty
}

test_bad_options() {
	fresh
	installer -h
	check "-h: exit 0" status_is 0
	check "-h: usage on stdout" grep -q '^usage: xenserver-install.sh' "$work/case/out"

	for args in "" "xs1 xs2" "--bogus xs1" "-m abc xs1" "-m 0 xs1" "-m 012 xs1" "-m 99999999 xs1" \
		"-n xs1" "--remove" "-oProxyCommand=evil" "-- -oProxyCommand=evil" "root@ xs1@" "x;reboot" \
		"user@host@x" "--name= xs1" "--mode hvm xs1" "--mode=pv_in_pvh xs1" "--mode PVH xs1" \
		"--mode= xs1" "--mode"; do
		fresh
		# shellcheck disable=SC2086 # the cases are word lists
		installer -i "$IMG" $args
		check "bad arguments '$args': exit 2" status_is 2
		check "bad arguments '$args': usage on stderr" grep -q '^usage:' "$work/case/err"
		check "bad arguments '$args': host not contacted" log_empty
	done

	fresh
	installer --mode hvm -i "$IMG" xs1
	check "bad --mode: says which value and which are valid" stderr_has "bad --mode 'hvm': use pvh or pv"
	check "bad --mode: no VM created" no_vm "$U1"
}

# Shell scripts: *.sh and files starting with a sh/bash shebang.
shell_scripts() {
	for path in "$top/mkimage.sh" $(find "$top/install" "$top/tests" "$top/scripts" \
		"$top/kernel-config" "$top/.ci" -type f 2>/dev/null | sort); do
		[ -f "$path" ] || continue
		case "$path" in
		*.sh) echo "$path" ;;
		*) head -n 1 "$path" | grep -Eq '^#!(/usr)?/bin/(env )?(ba|da)?sh( |$)' && echo "$path" ;;
		esac
	done
	return 0
}

test_shellcheck() {
	if ! command -v shellcheck >/dev/null; then
		fail "shellcheck is not installed (scripts/setup-deps.sh check)"
		return 0
	fi
	for path in $(shell_scripts); do
		check "shellcheck ${path#"$top"/}" shellcheck -x "$path"
	done
}

test_stand_in_resets_domain_type
test_install_default
test_install_modes
test_install_options
test_install_failures
test_remove
test_dry_run
test_bad_options
test_shellcheck

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
