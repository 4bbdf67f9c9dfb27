#!/bin/sh
# The lab shell used as a person would use it: `make lab-shell` runs in a tmux terminal;
# keys are typed with send-keys and the screen is read with capture-pane. Three runs:
#   session    start the test VM with the shipped xl config, wait for it on its console
#              log (tail -f, stopped with Ctrl-C), send a testing message with xtv-send,
#              find the guest's log lines for it, attach xl console and leave it (Ctrl-]),
#              shut the VM down, check xl list; then boot the debug initrd as the config's
#              comment says and run a command in its shell through xl console; leave the
#              shell with `exit`
#   scenarios  LAB_ONLY=boot LAB_MEM=32: the scenario runs first and passes, the configs
#              carry 32 MiB and the VM gets it, Ctrl-D leaves, the host shows the results
#   quit       Ctrl-A X while Xen boots: QEMU quits at once
#   iso        (make check-lab-iso) the ISO of make lab-iso from QEMU's CD drive: GRUB,
#              the same shell, the VM started, a message answered, exit
# Each run must end QEMU and the make with status 0 and leave the terminal's settings as
# they were. Every wait polls the screen until the expected text appears or its deadline
# passes; a missed deadline fails the test.
#
# Exit status: 0 every step passed, 1 a step failed (the screen is kept), 2 usage.
set -eu

usage() {
	cat >&2 <<'EOF'
usage: tests/lab/shell-test.sh [-o DIR] [-T SECONDS] [-r "RUN ..."] [-I ISO]
  -o DIR      screen transcripts (N-RUN.screen.txt) and the step log (default results/lab-shell-test)
  -T SECONDS  bound on each lab shell's QEMU run (LAB_SHELL_TIMEOUT, default 1200)
  -r RUNS     which runs, in order (default "session scenarios quit"; also: iso)
  -I ISO      the ISO the iso run boots (default out/lab/xen-test-vm-lab.iso)
env: BOOT_WAIT (seconds until the dom0 prompt, default 900), VM_WAIT (until the VM is
     ready, default 300), CMD_WAIT (per command, default 120)
EOF
	exit 2
}

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUTDIR=results/lab-shell-test BOUND=1200 RUNS="session scenarios quit"
ISO=$TOP/out/lab/xen-test-vm-lab.iso
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage ;;
	-o) OUTDIR=$2; shift 2 ;;
	-T) BOUND=$2; shift 2 ;;
	-r) RUNS=$2; shift 2 ;;
	-I) ISO=$2; shift 2 ;;
	*) usage ;;
	esac
done
BOOT_WAIT=${BOOT_WAIT:-900} VM_WAIT=${VM_WAIT:-300} CMD_WAIT=${CMD_WAIT:-120}

VM=xen-test-vm
CFG=/etc/xen/$VM.cfg
CONSOLE_LOG=/var/log/xen/console/guest-$VM.log
PROMPT='^dom0:[^ ]*# '
# A tmux server of our own (its own socket): the user's sessions are never touched.
SOCKET=xtv-shell-test-$$
PANE=""

mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
STEPS=$OUTDIR/steps.log
: >"$STEPS"
T0=$(date +%s)

tm() { tmux -L "$SOCKET" -f "$OUTDIR/tmux.conf" "$@"; }
log() { echo "[$(($(date +%s) - T0))s] $*" | tee -a "$STEPS"; }
pane_var() { tm display-message -p -t "$PANE" "#{$1}"; }

# screen: everything the terminal showed (history included), wrapped lines joined.
screen() { tm capture-pane -p -J -S - -E - -t "$PANE"; }
count() { screen | grep -c -E -- "$1" || true; }

# save_screen: the run's transcript, kept whatever the outcome.
save_screen() { [ -z "$PANE" ] || screen >"$OUTDIR/$PANE.screen.txt" 2>/dev/null || true; }

die() {
	log "FAIL ($PANE): $*"
	save_screen
	echo "shell-test: the screen is in $OUTDIR/$PANE.screen.txt" >&2
	exit 1
}

# cleanup: make QEMU quit as a person would (Ctrl-A X) if it still runs, then end our
# tmux server (one for all runs, each run a session); its panes' processes get SIGHUP.
cleanup() {
	if [ -z "$PANE" ] || ! tm has-session -t "$PANE" 2>/dev/null; then return 0; fi
	[ "$(pane_var pane_dead)" = 1 ] || tm send-keys -t "$PANE" C-a x
	save_screen
	tm kill-server 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# await PATTERN SECONDS [N]: poll the screen until PATTERN (extended regex) is on N lines
# (default 1) or SECONDS pass; fails the test at the deadline.
await() {
	a_end=$(($(date +%s) + $2))
	while [ "$(count "$1")" -lt "${3:-1}" ]; do
		[ "$(date +%s)" -lt "$a_end" ] || die "no '$1' on the screen within $2s"
		# A command that ended may have printed PATTERN just before: look once more.
		if [ "$(pane_var pane_dead)" = 1 ] && [ "$(count "$1")" -lt "${3:-1}" ]; then
			die "the terminal's command ended while waiting for '$1'"
		fi
		sleep 1 # the polling interval
	done
}

# type_line TEXT: type TEXT literally and press Enter.
type_line() {
	tm send-keys -t "$PANE" -l "$1"
	tm send-keys -t "$PANE" Enter
}

# run_cmd TEXT [SECONDS]: type a command at the prompt and wait for the next prompt.
run_cmd() {
	r_prompts=$(count "$PROMPT")
	log "typing: $1"
	type_line "$1"
	await "$PROMPT" "${2:-$CMD_WAIT}" $((r_prompts + 1))
}

# output_of TEXT: the lines between the last prompt showing TEXT and the prompt after it.
output_of() {
	screen | awk -v cmd="$1" -v prompt="$PROMPT" '
		$0 ~ prompt && index($0, cmd) { out = ""; inside = 1; next }
		$0 ~ prompt { inside = 0 }
		inside { out = out $0 "\n" }
		END { printf "%s", out }'
}

# expect_in TEXT PATTERN DESC: PATTERN is in the output of the command TEXT.
expect_in() {
	output_of "$1" | grep -q -E -- "$2" || die "$3: no '$2' after '$1'"
	log "ok - $3"
}

# expect_not_in TEXT PATTERN DESC
expect_not_in() {
	! output_of "$1" | grep -q -E -- "$2" || die "$3: '$2' after '$1'"
	log "ok - $3"
}

expect_screen() {
	screen | grep -q -E -- "$1" || die "$2: no '$1' on the screen"
	log "ok - $2"
}

# start_terminal NAME COMMAND: COMMAND in a new 160x50 terminal. A wrapper around it
# reports whether the terminal's settings were restored, prints a long line (does the
# terminal wrap?) and COMMAND's exit status: tmux 3.3a now and then marked the pane dead
# without ever reporting #{pane_dead_status}, so the status is read from the screen.
start_terminal() {
	RUN_N=$((${RUN_N:-0} + 1))
	PANE=$RUN_N-$1
	cmd=$2
	log "run $PANE: $cmd"
	# The make started by the test's own make must not inherit its jobserver.
	tm new-session -d -s "$PANE" -x 160 -y 50 "cd '$TOP' &&
		tty_before=\$(stty -g) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $cmd; rc=\$?
		[ \"\$(stty -g)\" = \"\$tty_before\" ] && echo 'shell-test: terminal settings restored'
		echo \"shell-test: wrap-\$(printf %0180d 0)-end\"
		echo \"shell-test: exit status \$rc\"
		exit \$rc"
}

# lab_shell MAKE-ARGS: the command of a lab shell run.
lab_shell() { echo "make lab-shell LAB_SHELL_TIMEOUT=$BOUND $1"; }

# ended: QEMU exited with status 0 (lab-shell.sh says so), the command too, and the
# terminal's settings are back.
ended() {
	await "^lab-shell: QEMU exited" "$CMD_WAIT"
	expect_screen "^lab-shell: QEMU exited \(status 0\)" "QEMU exited with status 0"
	command_ended
	# SeaBIOS turned line wrapping off; lab-shell.sh turns it on again.
	expect_screen "^shell-test: wrap-0{180}-end$" "the terminal wraps long lines again"
}

# command_ended: the terminal's command ended with status 0 and restored its settings.
command_ended() {
	await "^shell-test: exit status [0-9]+$" 30
	expect_screen "^shell-test: exit status 0$" "'$cmd' exited with status 0"
	expect_screen "^shell-test: terminal settings restored" "the terminal's settings were restored"
	save_screen
}

# up [SIZE]: the dom0 prompt, the banner, a terminal of SIZE ("rows cols", default the
# tmux terminal's: lab-shell.sh passes it on) with job control.
up() {
	await "$PROMPT" "$BOOT_WAIT"
	log "ok - dom0 prompt after $(($(date +%s) - T0))s"
	await "xen-test-vm lab shell" 5
	await "xl create $CFG" 5
	log "ok - banner shown"
	# shellcheck disable=SC2016 # expanded by dom0's shell
	run_cmd 'echo "tty=$(tty) term=$TERM size=$(stty size)"; set -o | grep monitor'
	expect_in 'echo "tty=' "tty=/dev/hvc0 term=[^ ]+ size=${1:-50 160}\$" "a terminal, ${1:-50 160} in size"
	expect_in 'echo "tty=' 'monitor[[:space:]]+on' "job control on"
	# shellcheck disable=SC2016 # expanded by dom0's shell
	run_cmd 'echo "wrap-$(printf %0180d 0)-end"'
	expect_in 'echo "wrap-' '^wrap-0{180}-end$' "a long line wraps, not cut at the terminal's edge"
}

start_vm() {
	run_cmd "xl create $CFG"
	expect_in "xl create $CFG" "Parsing config from $CFG" "xl read the shipped config"
	expect_not_in "xl create $CFG" "libxl: error|failed" "xl create reported no error"
}

# await_ready: follow the guest's console log as a person would; Ctrl-C stops tail -f.
await_ready() {
	r_prompts=$(count "$PROMPT")
	log "typing: tail -f $CONSOLE_LOG"
	type_line "tail -f $CONSOLE_LOG"
	await "^xtvd: event=ready" "$VM_WAIT"
	log "ok - the guest's daemon is ready (console log)"
	tm send-keys -t "$PANE" C-c
	await "$PROMPT" "$CMD_WAIT" $((r_prompts + 1))
	log "ok - Ctrl-C stopped tail -f"
}

send_message() {
	msg='{"when":"now","ack":"ok","action":"ignore"}'
	run_cmd "xtv-send $VM '$msg'; echo \"xtv-send status \$?\""
	expect_in "xtv-send $VM" "xtv-send: domain [0-9]+: ok" "the guest accepted the message"
	expect_in "xtv-send $VM" "^xtv-send status 0" "xtv-send succeeded"
	run_cmd "grep xtvd: $CONSOLE_LOG"
	expect_in "grep xtvd:" "^xtvd: event=message .*ignore" "the console log has the message"
	expect_in "grep xtvd:" "^xtvd: event=decision .*action=ignore" "the console log has the decision"
}

attach_console() {
	r_prompts=$(count "$PROMPT")
	r_ready=$(count "^xtvd: event=ready")
	log "typing: xl console $VM"
	type_line "xl console $VM"
	# Attached, xl console shows what xenconsoled kept of the guest's console, which has
	# the daemon's event=ready line (seen once already through tail -f).
	await "^xtvd: event=ready" "$CMD_WAIT" $((r_ready + 1))
	log "ok - xl console shows the guest's console; typing Ctrl-]"
	tm send-keys -t "$PANE" C-]
	await "$PROMPT" "$CMD_WAIT" $((r_prompts + 1))
	log "ok - Ctrl-] left xl console"
}

stop_vm() {
	run_cmd "xl shutdown -w $VM"
	expect_in "xl shutdown -w $VM" "has been shut down, reason code 0" "xl shutdown: reason 0 (poweroff)"
	run_cmd "xl list"
	expect_in "xl list" "^Domain-0 " "xl list shows dom0"
	expect_not_in "xl list" "^$VM " "the VM is gone from xl list"
}

# debug_vm: boot the debug initrd as the shipped config's comment says (that ramdisk,
# "debug" on the command line, 11 MiB; xl's KEY=VALUE arguments override the file), run a
# command in its shell through xl console, leave it and shut the VM down. The command
# line stays within the terminal's width: dom0's line editor dropped characters typed
# this fast across the wrap.
debug_vm() {
	# shellcheck disable=SC2016 # expanded by dom0's shell
	run_cmd 'E="xen.userspace_shutdown=1 console=hvc0 debug"; D=/var/lib/xen-test-vm'
	# shellcheck disable=SC2016 # expanded by dom0's shell
	d_create='xl create '"$CFG"' "ramdisk=\"$D/initrd-debug.img\"" "extra=\"$E\"" memory=11'
	r_banner=$(count "Enter 'help'")
	run_cmd "$d_create"
	expect_not_in "$d_create" "libxl: error|failed" "xl create with the debug initrd reported no error"
	log "typing: xl console $VM"
	type_line "xl console $VM"
	await "Enter 'help'" "$VM_WAIT" $((r_banner + 1))
	log "ok - xl console shows the debug shell's banner"
	shell_echo
	log "ok - the debug shell ran a command typed into xl console"
	# dom0's prompt comes back on the line of the guest's shell prompt, "/ # ".
	d_prompt='dom0:[^ ]*# '
	r_prompts=$(count "$d_prompt")
	tm send-keys -t "$PANE" C-]
	await "$d_prompt" "$CMD_WAIT" $((r_prompts + 1))
	log "ok - Ctrl-] left xl console"
	stop_vm
}

# shell_echo: type a command into the debug shell until its output is on the screen, again
# every 5 s for 30 s (what is typed before the shell's line editor reads can be lost). The
# guest's shell computes 42, so the echo of the typed line cannot match.
shell_echo() {
	s_waited=0
	while [ "$(count '^debug-42')" -lt 1 ]; do
		[ "$s_waited" -lt 30 ] || die "the debug shell did not run what was typed"
		# shellcheck disable=SC2016 # expanded by the guest's shell
		if [ $((s_waited % 5)) = 0 ]; then type_line 'echo debug-$((6 * 7))'; fi
		s_waited=$((s_waited + 1))
		sleep 1 # the polling interval
	done
}

run_session() {
	start_terminal session "$(lab_shell "")"
	up
	start_vm
	await_ready
	run_cmd "xl list"
	expect_in "xl list" "^$VM +[0-9]+ +9 +1 +[-a-z]+" "xl list shows the VM running with 9 MiB (LAB_MEM)"
	send_message
	attach_console
	stop_vm
	debug_vm
	log "typing: exit"
	type_line "exit"
	ended
}

run_scenarios() {
	start_terminal scenarios "$(lab_shell "LAB_ONLY=boot LAB_MEM=32")"
	await "^lab: \[1/1\] boot: (pass|fail|error|skip) \(" "$BOOT_WAIT"
	expect_screen "^lab: \[1/1\] boot: pass " "the boot scenario ran first and passed"
	up
	run_cmd "grep ^memory $CFG"
	expect_in "grep ^memory" "^memory += 32 " "the config carries LAB_MEM=32"
	start_vm
	run_cmd "xl list"
	expect_in "xl list" "^$VM +[0-9]+ +32 +1 " "the VM was built with 32 MiB"
	log "typing: Ctrl-D"
	tm send-keys -t "$PANE" C-d
	ended
	expect_screen "^  boot[[:space:]]+pass[[:space:]]" "the host shows the scenario's result"
}

run_quit() {
	start_terminal quit "$(lab_shell "")"
	await "^\(XEN\) " "$BOOT_WAIT"
	log "typing: Ctrl-A X while Xen boots"
	tm send-keys -t "$PANE" C-a x
	await "^QEMU: Terminated" "$CMD_WAIT"
	log "ok - QEMU: Terminated"
	ended
}

# run_iso: the ISO (make lab-iso) from QEMU's CD drive: GRUB's menu, the same shell (the
# terminal's size unknown: 24x80), the VM started and answering, exit ends QEMU.
run_iso() {
	[ -f "$ISO" ] || die "no $ISO (make lab-iso)"
	start_terminal iso "timeout --foreground -k 10 $BOUND tests/lab/qemu.sh -i -c '$ISO'"
	await "xen-test-vm lab shell: Xen 4.17 \+ dom0" "$BOOT_WAIT"
	log "ok - GRUB's menu on the serial console"
	up "24 80"
	expect_screen "^\(XEN\) Bootloader: GRUB" "Xen was loaded by GRUB"
	start_vm
	await_ready
	send_message
	stop_vm
	log "typing: exit"
	type_line "exit"
	await "Entering ACPI S5 state" "$CMD_WAIT"
	command_ended
}

command -v tmux >/dev/null || { echo "shell-test: tmux missing (scripts/setup-deps.sh lab)" >&2; exit 1; }
printf '%s\n' 'set -g remain-on-exit on' 'set -g history-limit 50000' >"$OUTDIR/tmux.conf"
for run in $RUNS; do
	case "$run" in
	session | scenarios | quit | iso) "run_$run" ;;
	*) usage ;;
	esac
done
log "shell-test: all steps passed in $(($(date +%s) - T0))s (runs: $RUNS); transcripts in $OUTDIR"
