#!/bin/sh
# The lab shell's session in dom0 (host side: tests/lab/lab-shell.sh). dom0-init.sh runs it
# in the runner's place once xenstored and xenconsoled are up: it runs the scenarios asked
# for (LAB_ONLY, with the lab's runner), puts the test VM and the shipped xl configs where
# a user expects them, prints the banner and gives the console to an interactive root
# shell with job control. It returns when that shell ends (exit, Ctrl-D); dom0-init.sh
# then writes the results disk and powers the machine off, which ends QEMU.
#
# usage: session RESULTS
set -u

if [ $# -ne 1 ] || [ "$1" = "-h" ]; then echo "usage: $0 RESULTS" >&2; exit 2; fi
RESULTS=$1
LAB=$(dirname "$0")
# XTV_MEM, LAB_ONLY (run-lab.sh); SHELL_TERM, SHELL_ROWS, SHELL_COLS (lab-shell.sh)
# shellcheck source=/dev/null
. "$LAB/config"
# shellcheck source=/dev/null
. "$LAB/shell.conf"

VM_DIR=/var/lib/xen-test-vm
CONSOLE_DIR=/var/log/xen/console
# The device behind /dev/console (dom0 runs with console=hvc0): a session can take it as
# its controlling terminal, which /dev/console cannot be.
TTY=/dev/hvc0

# install_vm: the VM's image where install/xl/*.cfg look for it, and those configs (copied
# by lab-shell.sh to LAB/xl) in /etc/xen with the memory for the config's guest type (the
# lab's default per type, or LAB_MEM for both: run-lab.sh). A new config in
# install/xl/ shows up here and in the banner by itself; one that needs another file
# (another kernel) needs it linked here too.
install_vm() {
	mkdir -p "$VM_DIR"
	ln -sf "$LAB/domu/kernel" "$VM_DIR/vmlinuz"
	ln -sf "$LAB/domu/initrd" "$VM_DIR/initrd.img"
	# The configs tell how to boot the debug initrd instead; run-lab.sh ships it.
	if [ -f "$LAB/domu/initrd-debug" ]; then
		ln -sf "$LAB/domu/initrd-debug" "$VM_DIR/initrd-debug.img"
	fi
	for cfg in "$LAB"/xl/*.cfg; do
		case "$(sed -n 's/^type *= *"\(.*\)".*/\1/p' "$cfg")" in
		pvh) mem=${XTV_MEM_PVH:-$XTV_MEM} ;;
		*) mem=${XTV_MEM_PV:-$XTV_MEM} ;;
		esac
		sed "s/^memory *=.*/memory  = $mem   # make lab-shell (LAB_MEM)/" "$cfg" \
			>"/etc/xen/$(basename "$cfg")"
	done
}

# write_profile: what the login shell reads: PATH with xl and xenstore-*, the host's TERM
# and terminal size (a serial line carries neither; 24x80 for the ISO), a prompt.
write_profile() {
	mkdir -p /root
	cat >/etc/profile <<EOF
export PATH=/usr/bin:/bin:/usr/sbin:/sbin:/usr/lib/xen-4.17/bin
export HOME=/root TERM='$SHELL_TERM'
PS1='dom0:\\w# '
stty rows $SHELL_ROWS cols $SHELL_COLS 2>/dev/null
cd
EOF
}

# write_help: /usr/bin/lab-help, the banner (also shown when the shell starts).
write_help() {
	configs=$(for cfg in /etc/xen/*.cfg; do echo "$cfg"; done)
	first=/etc/xen/xen-test-vm.cfg
	[ -f "$first" ] || first=$(echo "$configs" | head -n 1)
	name=$(sed -n 's/^name *= *"\(.*\)".*/\1/p' "$first")
	{
		echo "== xen-test-vm lab shell: Xen 4.17, Debian dom0 (Linux $(uname -r)) =="
		echo "The VM's image: $VM_DIR; its xl config(s), memory PV ${XTV_MEM_PV:-$XTV_MEM} MiB, PVH ${XTV_MEM_PVH:-$XTV_MEM} MiB: $(echo "$configs" | tr '\n' ' ' | sed 's/ $//')"
		item "xl create $first" "start the VM (ready: \"event=ready\" on its console)"
		for cfg in $configs; do
			[ "$cfg" != "$first" ] || continue
			type=$(sed -n 's/^type *= *"\(.*\)".*/\1/p' "$cfg")
			item "xl create $cfg" "the same VM, type ${type:-unknown} (install/xl/)"
		done
		item "xl list" "the domains"
		item "xtv-send $name now:ignore" "a testing message (legacy form); the JSON form:"
		item "xtv-send $name '{\"when\":\"onshutdown\",\"ack\":\"ok\",\"action\":\"reboot\"}'" ""
		item "xl console $name" "its console, live (Ctrl-] leaves)"
		item "tail -f $CONSOLE_DIR/guest-$name.log" ""
		item "" "its console as xenconsoled logs it (Ctrl-C stops)"
		item "xenstore-ls -f /local/domain/\$(xl domid $name)" "its xenstore nodes"
		item "xl shutdown -w $name" "ask it to power off and wait until it has"
		item "exit, or Ctrl-D" "power dom0 off; QEMU exits"
		item "Ctrl-A X" "quit QEMU at once (if anything hangs)"
		item "lab-help" "this text; messages: docs/protocol.md"
	} >/etc/lab-help
	printf '#!/bin/sh\ncat /etc/lab-help\n' >/usr/bin/lab-help
	chmod 755 /usr/bin/lab-help
}
item() { printf '  %-44s %s\n' "$1" "$2" | sed 's/ *$//'; }

# run_scenarios: the lab scenarios named in LAB_ONLY, before the shell; their verdicts go to
# the console, their files to RESULTS (the host unpacks them after the run).
run_scenarios() {
	[ -n "$LAB_ONLY" ] || return 0
	echo "lab-shell: running scenarios first: $LAB_ONLY"
	rc=0
	sh "$LAB/runner.sh" "$RESULTS" </dev/null || rc=$?
	echo "lab-shell: scenarios done (runner status $rc); the host unpacks their results when QEMU exits"
}

install_vm
write_profile
write_help
run_scenarios
# SeaBIOS reset the terminal and turned its line wrapping off (ESC [ ? 7 l): back on, or
# long lines would be cut at the terminal's edge.
printf '\033[?7h'
lab-help
# setsid: a new session that takes TTY as its controlling terminal (-c: the shell's stdin),
# so the shell has job control and Ctrl-C / Ctrl-Z reach its foreground job. The subshell
# keeps setsid from being a process group leader, which would make it fork and return.
# shellcheck disable=SC2094 # a terminal: read and written at once
(exec setsid -c sh -l) <"$TTY" >"$TTY" 2>&1
echo "lab-shell: shell ended; powering dom0 off"
