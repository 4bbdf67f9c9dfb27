#!/bin/sh
# One lab run per guest type (mode): tests/lab/run-lab.sh -t MODE -o RESULTS/MODE ARGS...,
# up to JOBS of them at the same time. Each run is its own QEMU session with its own work
# folder, serial log and results folder; under single-threaded TCG each QEMU keeps one host
# core busy, so two modes side by side take about as long as the slower one alone (on a
# machine with two free cores). Every line a run prints reaches the terminal whole,
# prefixed with its mode ("[pvh] lab: [3/41] boot: pass (41s)"); serial consoles stay in
# their own files. Every mode runs to the end even when another failed; the exit status is
# 0 only if every mode's run succeeded.
set -eu

usage() {
	cat >&2 <<'EOF'
usage: tests/lab/run-modes.sh [-j JOBS] [-M "MODE ..."] -o RESULTS [--] RUN-LAB-ARGS...
  -j JOBS     modes run at the same time (default 2; 1: one after the other)
  -M MODES    guest types, each one run of run-lab.sh -t MODE (default "pv pvh")
  -o RESULTS  parent results folder: mode MODE's results go to RESULTS/MODE
  RUN-LAB-ARGS  passed to every run (tests/lab/run-lab.sh -h); not -t or -o
EOF
	exit 2
}

HERE=$(cd "$(dirname "$0")" && pwd)
JOBS=2 MODES="pv pvh" RESULTS=""
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage ;;
	-j) [ $# -ge 2 ] || usage; JOBS=$2; shift 2 ;;
	-M) [ $# -ge 2 ] || usage; MODES=$2; shift 2 ;;
	-o) [ $# -ge 2 ] || usage; RESULTS=$2; shift 2 ;;
	--) shift; break ;;
	*) break ;;
	esac
done
case "$JOBS" in '' | *[!0-9]* | 0) usage ;; esac
if [ -z "$RESULTS" ] || [ -z "$MODES" ]; then usage; fi
for arg in "$@"; do
	case "$arg" in -t | -o) usage ;; esac
done
for mode in $MODES; do
	case "$mode" in pv | pvh) ;; *) echo "run-modes: unknown mode $mode (pv, pvh)" >&2; exit 2 ;; esac
done

STATUS=$(mktemp -d)
trap 'rm -rf "$STATUS"' EXIT

# run_mode MODE ARGS...: one run-lab.sh, every line of its output (stdout and stderr) on
# stdout with the mode in front; its exit status in STATUS/MODE. sed -u writes each line
# with one write(2), which reaches a pipe or terminal whole (lines are far below PIPE_BUF).
run_mode() {
	r_mode=$1
	shift
	{
		r_rc=0
		"$HERE/run-lab.sh" -t "$r_mode" -o "$RESULTS/$r_mode" "$@" </dev/null 2>&1 || r_rc=$?
		echo "$r_rc" >"$STATUS/$r_mode"
	} | sed -u "s/^/[$r_mode] /"
}

start=$(date +%s)
pids="" running=0
for mode in $MODES; do
	if [ "$running" -ge "$JOBS" ]; then
		# A batch of JOBS is full: wait for it (POSIX sh has no wait-for-any).
		# shellcheck disable=SC2086 # a list of pids
		wait $pids || true
		pids="" running=0
	fi
	run_mode "$mode" "$@" &
	pids="$pids $!"
	running=$((running + 1))
done
# shellcheck disable=SC2086 # a list of pids
wait $pids || true

failed=""
for mode in $MODES; do
	rc=$(cat "$STATUS/$mode" 2>/dev/null || echo "none")
	[ "$rc" = 0 ] || failed="$failed $mode (status $rc)"
done
elapsed=$(($(date +%s) - start))
if [ -n "$failed" ]; then
	echo "lab: modes $MODES after ${elapsed}s: did not pass as:$failed; results in $RESULTS/MODE" >&2
	exit 1
fi
echo "lab: modes $MODES after ${elapsed}s: every run passed; results in $RESULTS/MODE"
