# shellcheck shell=sh
# The `stress` set (make lab-stress, docs/lab.md "The emulated CPU"): is the emulated CPU
# clean? Under QEMU's `-cpu max`, dom0 processes died now and then of memory corruption
# (glibc heap aborts, segfaults), most often while many domains were being built at once.
# This set does that on purpose for STRESS_SECONDS: rounds of STRESS_BURST test VMs
# created at the same time (types from STRESS_TYPES in turn), each sent one message with
# xtv-send, then destroyed, while a loop runs dom0's tools (xl, xenstore-*, date) next to
# them. Every command's exit status and output are kept; a dom0 process killed by a fault
# or an abort (SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGSEGV) or printing a crash signature
# fails the scenario. A command that ran out of time (dom0 has one vCPU under emulation)
# is counted apart and reported, not taken for a crash: under a burst on the emulated
# machine `xl create` can run out of its 300 s without anything being corrupted (its VM is
# then left paused, never answers, and is reported with the timeouts; the same for an xl
# create that failed on one of libxl's own timeouts); every VM that xl did create must
# answer.
# Sourced by scenarios.sh; uses lib.sh.
# shellcheck disable=SC2317,SC2329 # functions are called through the table

SCENARIOS="$SCENARIOS
dom0-tools        stress          t_dom0_tools                    | dom0 tools, xl create and xtv-send with STRESS_BURST VMs booting at once, for STRESS_SECONDS: no dom0 process crashes, every VM answers
"

: "${STRESS_SECONDS:=300}" "${STRESS_TYPES:=$XTV_TYPE}" "${STRESS_BURST:=6}"

# The signatures of a process killed by memory corruption (glibc's heap checks, a fault),
# as they appear in a tool's stderr or in a shell's report.
STRESS_CRASH_RE='malloc|corrupt|double free|Segmentation fault|core dumped|Aborted|Illegal instruction'

# stress_run LOG CMD...: run CMD bounded (300 s) with its output in SC_DIR/LOG, and record
# "LOG STATUS" in SC_DIR/runs.
stress_run() {
	r_log=$1
	shift
	r_rc=0
	timeout 300 "$@" >>"$SC_DIR/$r_log" 2>&1 || r_rc=$?
	echo "$r_log $r_rc" >>"$SC_DIR/runs"
}

# tool_loop: dom0's everyday tools, over and over until SC_DIR/.stop appears.
tool_loop() {
	i=0
	while [ ! -e "$SC_DIR/.stop" ]; do
		i=$((i + 1))
		stress_run tools/xl-list xl list
		stress_run tools/xl-list-v xl list -v
		stress_run tools/xenstore-read xenstore-read /local/domain/0/name
		stress_run tools/xenstore-write xenstore-write /tool/xtv-stress/n "$i"
		stress_run tools/xenstore-ls xenstore-ls /local/domain
		stress_run tools/date date
	done
}

# answer NAME: once the VM called NAME is ready, send it one message.
answer() {
	DOM=$1
	stress_run "vms/$DOM.domid" xl domid "$DOM"
	DOMID=$(tail -n 1 "$SC_DIR/vms/$DOM.domid")
	case "$DOMID" in '' | *[!0-9]*) return 0 ;; esac
	vm_ready || note "$DOM (domid $DOMID) not ready within ${BOOT_TIMEOUT}s ($(dom_diagnosis))"
	stress_run "vms/$DOM.send" xtv-send -t "$ACK_TIMEOUT" "$DOMID" --when now --action ignore
}

# burst: STRESS_BURST VMs created at once; then one message to each, all at once; then
# every one destroyed, its console and xl's own log kept.
burst() {
	# shellcheck disable=SC2086 # a list of words
	set -- $STRESS_TYPES
	b_pids=""
	b_i=1
	while [ "$b_i" -le "$STRESS_BURST" ]; do
		DOM=xtv-s$ROUND-$b_i
		XTV_TYPE=$1
		shift
		# shellcheck disable=SC2086 # a list of words
		[ $# -gt 0 ] || set -- $STRESS_TYPES
		vm_config "$(type_mem "$XTV_TYPE")"
		mv "$SC_DIR/domain.cfg" "$SC_DIR/vms/$DOM.cfg"
		stress_run "vms/$DOM.create" xl create "$SC_DIR/vms/$DOM.cfg" &
		b_pids="$b_pids $!"
		b_i=$((b_i + 1))
	done
	# shellcheck disable=SC2086 # a list of pids
	wait $b_pids
	b_pids=""
	for b_cfg in "$SC_DIR"/vms/xtv-s"$ROUND"-*.cfg; do
		DOM=$(basename "$b_cfg" .cfg)
		answer "$DOM" &
		b_pids="$b_pids $!"
	done
	# shellcheck disable=SC2086 # a list of pids
	wait $b_pids
	for b_cfg in "$SC_DIR"/vms/xtv-s"$ROUND"-*.cfg; do
		DOM=$(basename "$b_cfg" .cfg)
		stress_run "vms/$DOM.destroy" xl destroy "$DOM"
		cp "$(console_log)" "$SC_DIR/vms/$DOM.console" 2>/dev/null || true
		cp "/var/log/xen/xl-$DOM.log" "$SC_DIR/vms/$DOM.xl" 2>/dev/null || true
	done
}

# crash_status STATUS: the shell's status of a process killed by SIGILL (132), SIGABRT
# (134), SIGBUS (135), SIGFPE (136) or SIGSEGV (139).
crash_status() { case "$1" in 132 | 134 | 135 | 136 | 139) true ;; *) false ;; esac; }

# stress_tally: counts from SC_DIR/runs: crashes (crash_status or a crash signature in the
# command's output, listed in SC_DIR/crashes), timeouts (124, or 143: SIGTERM from
# timeout), other non-zero statuses, VMs asked for, created (xl create exited 0), whose
# creation timed out, and answered.
stress_tally() {
	runs=$(grep -c . "$SC_DIR/runs" || true)
	timeouts=$(awk '$2 == 124 || $2 == 143' "$SC_DIR/runs" | grep -c . || true)
	: >"$SC_DIR/crashes"
	while read -r r_log r_rc; do
		if crash_status "$r_rc" || grep -Eq "$STRESS_CRASH_RE" "$SC_DIR/$r_log"; then
			echo "$r_log exited $r_rc: $(grep -E -m 1 "$STRESS_CRASH_RE" "$SC_DIR/$r_log")" >>"$SC_DIR/crashes"
		fi
	done <<EOF
$(sort -u "$SC_DIR/runs")
EOF
	# The monitoring xl that `xl create` leaves behind logs to /var/log/xen/xl-NAME.log.
	grep -EHs -m 1 "$STRESS_CRASH_RE" "$SC_DIR"/vms/*.xl >>"$SC_DIR/crashes" || true
	crashed=$(grep -c . "$SC_DIR/crashes" || true)
	failed=$(awk '$2 != 0' "$SC_DIR/runs" | grep -c . || true)
	vms=$(grep -c '\.create ' "$SC_DIR/runs" || true)
	created=$(grep -c '\.create 0$' "$SC_DIR/runs" || true)
	# An xl create that ran out of time: killed by the bound (124, 143), or failed on one of
	# libxl's own timeouts (e.g. "console tty: timed out": xenconsoled was slow to answer).
	create_timeouts=0
	while read -r r_log r_rc; do
		case "$r_rc" in
		0) ;;
		124 | 143) create_timeouts=$((create_timeouts + 1)) ;;
		*) if grep -q 'libxl: error: .*timed out' "$SC_DIR/$r_log"; then create_timeouts=$((create_timeouts + 1)); fi ;;
		esac
	done <<EOF
$(grep '\.create ' "$SC_DIR/runs")
EOF
	answered=$(grep -c '\.send 0$' "$SC_DIR/runs" || true)
}

# all_of K N: K of N, at least one.
all_of() { [ "$2" -gt 0 ] && [ "$1" = "$2" ]; }

t_dom0_tools() {
	mkdir -p "$SC_DIR/tools" "$SC_DIR/vms"
	: >"$SC_DIR/runs"
	rm -f "$SC_DIR/.stop"
	tool_loop &
	loop=$!
	end=$(($(date +%s) + STRESS_SECONDS))
	ROUND=0
	while [ "$(date +%s)" -lt "$end" ]; do
		ROUND=$((ROUND + 1))
		burst
		note "round $ROUND done"
	done
	touch "$SC_DIR/.stop"
	wait_pid "$loop" 200 || note "the tool loop did not stop within 200s"
	xenstore-rm /tool/xtv-stress 2>/dev/null || true
	stress_tally
	note "$ROUND rounds of $STRESS_BURST VMs ($STRESS_TYPES), $runs dom0 commands: $crashed crashed, $timeouts ran out of the 300 s bound, $failed exited non-zero; $create_timeouts xl create timed out (the bound or libxl's own); $vms VMs asked for, $created created, $answered answered"
	echo "rounds=$ROUND runs=$runs crashed=$crashed timeouts=$timeouts create_timeouts=$create_timeouts nonzero=$failed vms=$vms created=$created answered=$answered" >"$SC_DIR/stress"
	check "no dom0 process crashed ($crashed of $runs, SC_DIR/crashes)" [ "$crashed" = 0 ]
	check "every xl create succeeded or ran out of time ($created + $create_timeouts of $vms)" \
		[ "$((created + create_timeouts))" = "$vms" ]
	check "every VM xl created answered its message ($answered of $created)" all_of "$answered" "$created"
	# A slow xl create is not a crash, but it is not hidden either: the verdict says so.
	if [ "$create_timeouts" -gt 0 ]; then
		pass "no crash; $create_timeouts of $vms xl create ran out of 300s under the burst (slow, not crashed: SC_DIR/runs)"
	fi
	pass "no crash; $created of $vms VMs created and answered"
}
