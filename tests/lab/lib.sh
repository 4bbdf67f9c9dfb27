# shellcheck shell=sh
# Helpers for the lab's scenarios, sourced by runner.sh inside dom0 (busybox sh).
#
# A scenario runs in its own subshell with SC_DIR (its results folder) and DOM (its domain
# name) set. It ends through one of:
#   pass / fail MSG / error MSG / skip MSG   (write SC_DIR/verdict and leave the subshell)
# check DESC CMD...  records a check; a failed check ends the scenario with `fail`.
# need  DESC CMD...  a precondition; when it fails the scenario ends with `error`
#                    (the guest crashed, hung or never came up: not a verdict on behaviour).
# Every wait is bounded and event driven (xenstore watches, xl's own exit).

: "${XTV_KERNEL:=/lab/domu/kernel}" "${XTV_RAMDISK:=/lab/domu/initrd}"
: "${XTV_DEBUG_RAMDISK:=/lab/domu/initrd-debug}"
: "${XTV_EXTRA:=console=hvc0 xen.userspace_shutdown=1}" "${XTV_MEM:=9}" "${XTV_TYPE:=pv}"
: "${READY_NODE:=data/xtv/ready}" "${BOOT_TIMEOUT:=90}" "${ACK_TIMEOUT:=30}"
: "${SHUTDOWN_TIMEOUT:=60}" "${SETTLE:=3}" "${VM_LIFETIME:=400}"
# The debug initrd (BusyBox) unpacks to 2.1 MB of files. It is xz, which the domain
# builder leaves compressed (916 KB) and the kernel decodes as it unpacks (mkimage.sh). On
# 2026-11-30 it booted and ran respawn at 11 MiB as PV and at 12 as PVH; one MiB less ran
# out of memory while unpacking, about 125 pages short (docs/kernel.md). A PVH guest has
# 0.7 MiB less to give than a PV one at the same memory=. Scenarios that boot it use at
# least DEBUG_MEM (DEBUG_MEM_PVH as PVH).
: "${DEBUG_MEM:=11}" "${DEBUG_MEM_PVH:=12}"
debug_mem() {
	debug_min=$DEBUG_MEM
	[ "$XTV_TYPE" = pvh ] && debug_min=$DEBUG_MEM_PVH
	if [ "$XTV_MEM" -gt "$debug_min" ]; then echo "$XTV_MEM"; else echo "$debug_min"; fi
}
# type_mem TYPE: the memory (MiB) for a guest of TYPE, pv or pvh, in a set that mixes both
# (run-lab.sh writes each type's default, or -m for both; XTV_MEM is the run's own type's).
type_mem() {
	case "$1" in
	pv) echo "${XTV_MEM_PV:-$XTV_MEM}" ;;
	pvh) echo "${XTV_MEM_PVH:-$XTV_MEM}" ;;
	*) echo "$XTV_MEM" ;;
	esac
}

verdict() { printf '%s\t%s\n' "$1" "$2" >"$SC_DIR/verdict"; exit 0; }
pass() { verdict pass "${1:-}"; }
fail() { verdict fail "$1"; }
error() { verdict error "$1"; }
skip() { verdict skip "$1"; }
note() { echo "[$(elapsed)] $*" >>"$SC_DIR/checks.log"; }
elapsed() { echo "$(($(date +%s) - ${SC_T0:-0}))s"; }

check() {
	c_desc=$1
	shift
	if "$@"; then note "ok - $c_desc"; else note "not ok - $c_desc"; fail "$c_desc"; fi
}

need() {
	n_desc=$1
	shift
	if "$@"; then note "ok - $n_desc"; else note "error - $n_desc"; error "$n_desc ($(dom_diagnosis))"; fi
}

# dom_diagnosis: one phrase about the domain, to tell a crashed guest from a hung one.
dom_diagnosis() {
	[ -n "${DOMID:-}" ] || { echo "domain never created"; return; }
	st=$(dom_state) || {
		echo "domain $DOMID no longer exists${XL_LOG:+; xl: $(grep -m 1 -i 'error' "$XL_LOG" | cut -c1-200)}"
		return
	}
	case "$st" in
	*c*) echo "guest crashed (state $st)" ;;
	*s*) echo "guest shut down (state $st, $(xl_reason_text))" ;;
	*) echo "guest alive but unresponsive (state $st)" ;;
	esac
}

# await PATHS TIMEOUT CMD...: run CMD once the watches on PATHS (space separated) are
# registered (registration fires each watch, so earlier changes are not missed) and after
# every event, until it succeeds (0) or TIMEOUT seconds pass (1). Same scheme as
# install/xtv-send, plus an outer bound in case a xenstore client itself hangs.
await() {
	a_paths=$1 a_timeout=$2
	shift 2
	await_pipe "$a_paths" "$a_timeout" "$@" &
	wait_pid "$!" $((a_timeout + 15)) && return 0
	a_rc=$?
	[ "$a_rc" = 124 ] && note "await $a_paths: no answer within $((a_timeout + 15))s (hung xenstore client?)"
	return 1
}

# await_pipe: the watches feed a reader that tests CMD per event. A watch that ends before
# the deadline (seen in the lab: xenstore-watch exiting without any event) is registered
# again, and the registration event re-tests CMD.
await_pipe() {
	a_paths=$1 a_timeout=$2
	shift 2
	{
		a_end=$(($(date +%s) + a_timeout))
		while a_left=$((a_end - $(date +%s))) && [ "$a_left" -gt 0 ]; do
			a_pids=""
			for a_p in $a_paths; do
				timeout "$a_left" xenstore-watch "$a_p" 2>>"$SC_DIR/watch.log" &
				a_pids="$a_pids $!"
			done
			echo "-pids$a_pids"
			for a_p in $a_pids; do wait "$a_p" || echo "-ended $a_p $?"; done
			echo "-restart"
		done
		echo "-end"
	} 2>/dev/null | {
		# A round's "-pids" line may come after its first events (as in install/xtv-send):
		# once CMD holds, keep reading until the watches to stop are known.
		a_n=0 a_pids="" a_met=""
		while read -r a_event; do
			case "$a_event" in
			"-pids"*) a_pids=${a_event#-pids} ;;
			"-ended "* | "-restart")
				[ "$a_event" = "-restart" ] && a_pids=""
				echo "[$(elapsed)] await $a_paths: watch $a_event after $a_n events" >>"$SC_DIR/watch.log" ;;
			"-end")
				echo "[$(elapsed)] await $a_paths: timed out after $a_n events: $*" >>"$SC_DIR/watch.log"
				exit 1 ;;
			*)
				a_n=$((a_n + 1))
				[ -n "$a_met" ] || ! "$@" || a_met=1 ;;
			esac
			if [ -n "$a_met" ] && [ -n "$a_pids" ]; then
				# shellcheck disable=SC2086 # a list of pids
				kill $a_pids 2>/dev/null || true
				exit 0
			fi
		done
		exit 1
	}
}

# bounded SECONDS CMD...: CMD under timeout(1), and SIGKILL 5 s after its SIGTERM: a
# dom0 tool that waits on a xenstored which no longer answers can outlive a plain
# `timeout` (in the lab of 29 November 2026, `timeout 30 xl shutdown` had not returned
# after 60 s). BusyBox's timeout exits 143 (or 137) where coreutils' exits 124.
bounded() {
	b_secs=$1
	shift
	timeout -k 5 "$b_secs" "$@"
}

# xenstored_answers: dom0's xenstored still answers a request, within 10 s.
xenstored_answers() { bounded 10 xenstore-exists /local >/dev/null 2>&1; }

# wait_pid PID TIMEOUT: bounded wait for a child of this shell; 124 if it had to be killed.
wait_pid() {
	w_mark=$SC_DIR/.killed.$1
	rm -f "$w_mark"
	(sleep "$2" && touch "$w_mark" && kill "$1" 2>/dev/null) &
	w_dog=$!
	w_rc=0
	wait "$1" || w_rc=$?
	kill "$w_dog" 2>/dev/null || true
	wait "$w_dog" 2>/dev/null || true
	[ -e "$w_mark" ] && { rm -f "$w_mark"; return 124; }
	return "$w_rc"
}

# Domain-relative xenstore access.
xs_path() { echo "/local/domain/$DOMID/$1"; }
xs_read() { xenstore-read "$(xs_path "$1")" 2>/dev/null; }
xs_is() { [ "$(xs_read "$1")" = "$2" ] && xs_exists "$1"; }
xs_exists() { xenstore-exists "$(xs_path "$1")" 2>/dev/null; }
xs_absent() { ! xs_exists "$1"; }
await_xs() { await "$(xs_path "$1")" "$3" xs_is "$1" "$2"; }

# dom_state: xl's six-letter state of DOMID (r b p s c d), fails if the domain is gone.
dom_state() {
	bounded 20 xl list "$DOMID" 2>/dev/null | awk 'NR == 2 { print $5; f = 1 } END { exit !f }'
}
dom_running() { st=$(dom_state) && case "$st" in *[scd]*) false ;; *) true ;; esac; }
dom_gone() { ! xl list "$DOMID" >/dev/null 2>&1; }

# vm_config [MEM]: the xl config; every shutdown is preserved so the reason and the final
# xenstore values can be read afterwards. XTV_TYPE is the guest type, pv or pvh: the same
# kernel and initrd boot either way (docs/kernel.md).
vm_config() {
	cat >"$SC_DIR/domain.cfg" <<EOF
name = "$DOM"
type = "$XTV_TYPE"
kernel = "$XTV_KERNEL"
ramdisk = "$XTV_RAMDISK"
extra = "$XTV_EXTRA"
memory = ${1:-$XTV_MEM}
vcpus = 1
on_poweroff = "preserve"
on_reboot = "preserve"
on_crash = "preserve"
EOF
}

domid_or_failed() { domid_of_dom || grep -q 'libxl: error' "$XL_LOG"; }
domid_of_dom() {
	d=$(xl domid "$DOM" 2>/dev/null) || return 1
	case "$d" in '' | *[!0-9]*) return 1 ;; esac
	echo "$d" >"$SC_DIR/domid"
}

# xl_monitor CMD...: run an xl command that creates a domain and stays in the foreground
# (create -F, restore -F) until it shuts down; its output goes to SC_DIR/xl-N.log.
xl_monitor() {
	XL_N=$((${XL_N:-0} + 1))
	XL_LOG=$SC_DIR/xl-$XL_N.log
	timeout "$VM_LIFETIME" "$@" >"$XL_LOG" 2>&1 &
	XL_PID=$!
	rm -f "$SC_DIR/domid"
	if ! await "@introduceDomain @releaseDomain" "$BOOT_TIMEOUT" domid_or_failed || [ ! -s "$SC_DIR/domid" ]; then
		DOMID=""
		note "xl output: $(tr '\n' ' ' <"$XL_LOG")"
		return 1
	fi
	DOMID=$(cat "$SC_DIR/domid")
	note "domain $DOM has domid $DOMID ($*)"
}

# vm_start [MEM]: create the domain under `xl create -F`; the guest may not be ready yet.
vm_start() {
	vm_config "${1:-}"
	xl_monitor xl create -F "$SC_DIR/domain.cfg"
}
# vm_ready: READY_NODE = 1; @releaseDomain also ends the wait when the build failed.
vm_ready() { await "$(xs_path "$READY_NODE") @releaseDomain" "$BOOT_TIMEOUT" ready_or_gone && xs_is "$READY_NODE" 1; }
ready_or_gone() { xs_is "$READY_NODE" 1 || ! xenstore-exists "/local/domain/$DOMID" 2>/dev/null; }

# vm_up [MEM]: create the domain and wait until the daemon is ready (error otherwise).
vm_up() {
	need "xl create $DOM" vm_start "${1:-}"
	need "guest ready ($READY_NODE = 1) within ${BOOT_TIMEOUT}s" vm_ready
}

# xl_exited: wait (bounded) for the monitoring xl to exit after the domain shut down.
xl_exited() { wait_pid "$XL_PID" "$SHUTDOWN_TIMEOUT"; }
xl_reason() { sed -n 's/.*has shut down, reason code \([0-9]*\).*/\1/p' "$XL_LOG" | tail -n 1; }
xl_reason_text() { r=$(xl_reason); echo "reason ${r:-none}"; }
reason_is() { [ "$(xl_reason)" = "$1" ]; }
dom_shut_down() { st=$(dom_state) && case "$st" in *[sc]*) true ;; *) false ;; esac; }

# xen_reason: the shutdown code Xen holds for DOMID (`xl list -v`, column Reason-Code, hex;
# "-" while the domain runs).
xen_reason() {
	xl list -v "$DOMID" 2>/dev/null | awk 'NR == 2 { print $8; f = 1 } END { exit !f }'
}
xen_reason_is() { [ "$(xen_reason)" = "$1" ]; }

# expect_shutdown REASON: the domain shuts down (awaited on @releaseDomain, which xenstored
# fires when a domain shuts down) with Xen's REASON (0 poweroff, 1 reboot, 2 suspend,
# 3 crash) and stays there (preserve). While `xl create -F` still monitors the domain, its
# report must say the same.
expect_shutdown() {
	check "domain $DOMID shut down within ${SHUTDOWN_TIMEOUT}s" \
		await @releaseDomain "$SHUTDOWN_TIMEOUT" dom_shut_down
	check "Xen's shutdown reason $1 (xl list -v: $(xen_reason || echo gone))" xen_reason_is "$1"
	[ -n "${XL_PID:-}" ] || return 0
	check "monitoring xl exited within ${SHUTDOWN_TIMEOUT}s" xl_exited
	note "xl: $(grep -E 'shut down|suspended|Action' "$XL_LOG" | tr '\n' ' ')"
	check "xl create -F reports reason $1 (got $(xl_reason_text))" reason_is "$1"
}

# expect_running: after SETTLE seconds (a deliberate negative check: nothing may happen)
# the same domain still runs and its monitoring xl is still waiting.
expect_running() {
	sleep "$SETTLE"
	check "domain $DOMID still running after ${SETTLE}s ($(dom_state || echo gone))" dom_running
	[ -z "${XL_PID:-}" ] || check "xl create -F still monitoring" kill -0 "$XL_PID"
}

console_log() { echo "/var/log/xen/console/guest-$DOM.log"; }
console_has() { grep -q -- "$1" "$(console_log)" 2>/dev/null; }

# await_console PATTERN TIMEOUT: a line matching PATTERN appears in the guest's console log
# (followed by name, -F: xenconsoled creates it only once the guest's console is up).
await_console() {
	console_has "$1" && return 0
	mkfifo "$SC_DIR/.tail"
	tail -n +1 -F "$(console_log)" >"$SC_DIR/.tail" 2>/dev/null &
	t_pid=$!
	t_rc=0
	timeout "$2" grep -q -m 1 -- "$1" <"$SC_DIR/.tail" || t_rc=1
	kill "$t_pid" 2>/dev/null || true
	wait "$t_pid" 2>/dev/null || true
	rm -f "$SC_DIR/.tail"
	return "$t_rc"
}

# send [xtv-send args]: xtv-send to this domain, output kept; returns xtv-send's status.
send() {
	s_rc=0
	xtv-send -t "$ACK_TIMEOUT" "$@" >>"$SC_DIR/xtv-send.log" 2>&1 || s_rc=$?
	return "$s_rc"
}
send_ok() { send "$DOMID" "$@"; }
send_rc() { s_want=$1; shift; s_rc=0; send "$DOMID" "$@" || s_rc=$?; [ "$s_rc" = "$s_want" ]; }

# request VALUE: write VALUE to control/shutdown as a toolstack would (no wait), byte for
# byte: -R, or xenstore-write would decode backslash escapes in VALUE (libxl does not).
request() { xenstore-write -R "$(xs_path control/shutdown)" "$1"; }

# xl_cmd NAME CMD...: run an xl command with a bound, output to SC_DIR/NAME.log.
xl_cmd() {
	x_name=$1
	shift
	x_rc=0
	bounded 90 "$@" >"$SC_DIR/$x_name.log" 2>&1 || x_rc=$?
	note "$* -> $x_rc"
	return "$x_rc"
}

# cleanup_domains: destroy this scenario's domain(s) (by name: lanes run side by side).
cleanup_domains() {
	n=0
	while d=$(bounded 20 xl domid "$DOM" 2>/dev/null) && [ "$n" -lt 5 ]; do
		bounded 30 xl destroy "$d" >/dev/null 2>&1 || true
		n=$((n + 1))
	done
}
