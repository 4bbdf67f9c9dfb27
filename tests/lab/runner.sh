#!/bin/sh
# The lab's dom0-side runner: runs the scenarios of one set, one after the other, each in
# its own subshell with a time bound, and writes per scenario RESULTS/scenarios/NAME/
# (verdict, checks.log, console.log, xl logs) plus RESULTS/plan and RESULTS/summary.tsv
# (name, verdict, seconds, message, purpose). A progress line per scenario goes to the
# console. Configuration comes from /lab/config (written by run-lab.sh).
#
# usage: runner.sh RESULTS
set -eu

[ "${1:-}" = "-h" ] && { echo "usage: $0 RESULTS" >&2; exit 2; }
[ $# -eq 1 ] || { echo "usage: $0 RESULTS" >&2; exit 2; }
RESULTS=$1
LAB=$(dirname "$0")
SCENARIO_TIMEOUT=${SCENARIO_TIMEOUT:-400}

# shellcheck source=/dev/null
[ -f "$LAB/config" ] && . "$LAB/config"
: "${LAB_SET:=fast}" "${LAB_ONLY:=}" "${LAB_LANES:=1}" "${LAB_RETRY:=1}"
# shellcheck source=tests/lab/lib.sh
. "$LAB/lib.sh"
# shellcheck source=tests/lab/scenarios.sh
. "$LAB/scenarios.sh"

# selected: "NAME<TAB>COMMAND<TAB>PURPOSE" for each scenario of LAB_SET (or LAB_ONLY names).
selected() {
	echo "$SCENARIOS" | awk -v set="$LAB_SET" -v only=" $LAB_ONLY " '
	NF == 0 { next }
	{
		name = $1; sets = "," $2 ","; line = $0
		cmd = line; sub(/^[ \t]*[^ \t]+[ \t]+[^ \t]+[ \t]+/, "", cmd)
		purpose = cmd; sub(/^[^|]*\|[ \t]*/, "", purpose); sub(/[ \t]*\|.*$/, "", cmd)
		if (only != "  " ? index(only, " " name " ") : index(sets, "," set ","))
			printf "%s\t%s\t%s\n", name, cmd, purpose
	}'
}

# XENSTORED_STOPPED: written with the scenario's name when dom0's xenstored stopped
# answering during it. Nothing after that can run (every xl and xenstore call would wait
# for ever), so the runner ends at once and says why: once a guest made the lab's C
# xenstored stop answering every client (docs/lab.md), and the lab sat silent until its
# 2400 s bound, in the runner's own unbounded `xl list` after the scenario.
XENSTORED_STOPPED=$RESULTS/xenstored-stopped

# run_one NAME COMMAND: the scenario in a bounded subshell; its verdict file is the result.
run_one() {
	SC_DIR=$RESULTS/scenarios/$1
	DOM=xtv-$1
	mkdir -p "$SC_DIR"
	: >"$SC_DIR/checks.log"
	SC_T0=$(date +%s)
	# shellcheck disable=SC2086 # COMMAND is a function name and its words
	(set -- $2; "$@") >"$SC_DIR/output.log" 2>&1 &
	if wait_pid "$!" "$SCENARIO_TIMEOUT"; then :; else
		rc=$?
		[ -s "$SC_DIR/verdict" ] || {
			if [ "$rc" = 124 ]; then
				printf 'error\tscenario hung: no verdict within %ss\n' "$SCENARIO_TIMEOUT"
			else
				printf 'error\tscenario script died (status %s) without a verdict\n' "$rc"
			fi >"$SC_DIR/verdict"
		}
	fi
	[ -s "$SC_DIR/verdict" ] ||
		printf 'error\tscenario ended without a verdict\n' >"$SC_DIR/verdict"
	if xenstored_answers; then
		after_scenario
	else
		xenstored_stopped "$1"
	fi
	cp "$(console_log)" "$SC_DIR/console.log" 2>/dev/null || : >"$SC_DIR/console.log"
}

# after_scenario: keep the domain's xenstore tree, ask a guest that still runs after a
# failure where it waits, destroy the domain.
after_scenario() {
	for d in $(bounded 20 xl list 2>/dev/null | awk -v n="$DOM" '$1 == n { print $2 }'); do
		bounded 20 xenstore-ls -p "/local/domain/$d" >"$SC_DIR/xenstore-$d.txt" 2>&1 || true
		grep -q '^pass' "$SC_DIR/verdict" || dump_guest_state "$d" >>"$SC_DIR/checks.log" 2>&1
	done
	cleanup_domains
}

# xenstored_stopped NAME: the scenario's verdict says that xenstored stopped answering;
# the remaining scenarios are reported as not run (run_lane).
xenstored_stopped() {
	echo "$1" >"$XENSTORED_STOPPED"
	IFS=$tab read -r s_v s_msg <"$SC_DIR/verdict" || true
	[ "$s_v" = pass ] && s_v=error
	printf '%s\t%s\n' "$s_v" "dom0's xenstored stopped answering${s_msg:+; $s_msg}" >"$SC_DIR/verdict"
	echo "lab: dom0's xenstored stopped answering during $1: no further scenario can run"
}

# dump_guest_state DOMID: after a scenario that did not pass, while its guest still runs, ask
# the guest's kernel (control/sysrq, which the kernel serves in every mode) for its tasks
# and their stacks (t) and its memory (m): a guest that stopped acting without a word (as
# the kernel-owns-shutdown failure of docs/lab.md) then says on its console where it
# waits. Each dump is awaited on the console by its last line, bounded.
dump_guest_state() {
	DOMID=$1 # read by dom_state and xs_path
	case "$(dom_state)" in *[scd]*) return 0 ;; esac
	note "guest $1 still runs: sysrq t and m, see console.log"
	sysrq_dump t "Showing busy workqueues"
	sysrq_dump m "pages reserved"
}
sysrq_dump() {
	if bounded 20 xenstore-write "$(xs_path control/sysrq)" "$1" && await_console "$2" 20; then :; else
		note "no sysrq $1 dump from guest $DOMID within 20s"
	fi
}

# attempt NAME COMMAND: run the scenario; its verdict in v and msg.
attempt() {
	run_one "$1" "$2" </dev/null
	v=error msg="no verdict"
	IFS=$tab read -r v msg <"$RESULTS/scenarios/$1/verdict" || true
}

# not_run NAME PURPOSE LANE: the row of a scenario that could not run after xenstored
# stopped answering.
not_run() {
	n_msg="not run: dom0's xenstored stopped answering during $(cat "$XENSTORED_STOPPED")"
	printf '%s\terror\t0\t%s\t%s\n' "$1" "$n_msg" "$2" >>"$RESULTS/summary.$3"
	echo "lab: [$i/$total] $1: error (0s) - $n_msg"
}

# run_lane LANE: the scenarios whose position modulo LAB_LANES is LANE, one after the
# other; rows go to RESULTS/summary.LANE. Lanes run side by side (different domains).
run_lane() {
	i=0
	tab=$(printf '\t')
	while IFS=$tab read -r name cmd purpose; do
		[ -n "$name" ] || continue
		i=$((i + 1))
		[ $(((i - 1) % LAB_LANES)) -eq "$1" ] || continue
		if [ -s "$XENSTORED_STOPPED" ]; then
			not_run "$name" "$purpose" "$1"
			continue
		fi
		echo "lab: [$i/$total] $name: $purpose ..."
		t0=$(date +%s)
		attempt "$name" "$cmd"
		if [ "$v" = error ] && [ "$LAB_RETRY" = 1 ] && [ ! -s "$XENSTORED_STOPPED" ]; then
			# An error is a failed precondition (the domain was not created or never came
			# up), not a verdict on behaviour: run the scenario once more, keep both.
			echo "lab: [$i/$total] $name: error - $msg; running it again"
			first=$msg
			mv "$RESULTS/scenarios/$name" "$RESULTS/scenarios/$name.attempt1"
			attempt "$name" "$cmd"
			msg="retried after an error (attempt 1: $first)${msg:+; $msg}"
		fi
		secs=$(($(date +%s) - t0))
		printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$v" "$secs" "${msg:-}" "$purpose" >>"$RESULTS/summary.$1"
		echo "lab: [$i/$total] $name: $v (${secs}s)${msg:+ - $msg}"
	done <<EOF
$list
EOF
}

main() {
	mkdir -p "$RESULTS/scenarios"
	list=$(selected)
	total=$(echo "$list" | grep -c . || true)
	echo "$list" | cut -f1 >"$RESULTS/plan"
	echo "lab: plan: $(tr '\n' ' ' <"$RESULTS/plan")"
	echo "lab: set=$LAB_SET type=$XTV_TYPE memory=${XTV_MEM}MiB scenarios=$total lanes=$LAB_LANES"
	lanes=""
	lane=0
	while [ "$lane" -lt "$LAB_LANES" ]; do
		: >"$RESULTS/summary.$lane"
		run_lane "$lane" &
		lanes="$lanes $!"
		lane=$((lane + 1))
	done
	for p in $lanes; do wait "$p" || true; done
	# summary.tsv in plan order
	: >"$RESULTS/summary.tsv"
	while read -r name; do
		cat "$RESULTS"/summary.[0-9]* | awk -F'\t' -v n="$name" '$1 == n' >>"$RESULTS/summary.tsv"
	done <"$RESULTS/plan"
	rm -f "$RESULTS"/summary.[0-9]*
	failed=$(awk -F'\t' '$2 != "pass" && $2 != "skip"' "$RESULTS/summary.tsv" | grep -c . || true)
	retried=$(grep -c '	retried after an error' "$RESULTS/summary.tsv" || true)
	echo "lab: done: $(grep -c . "$RESULTS/summary.tsv" || true) scenarios, $failed not passed, $retried retried"
	[ "$failed" -eq 0 ]
}

main
