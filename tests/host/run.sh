#!/bin/bash
# End-to-end host test of the control daemon xtvd against a real (patched, Xen-less) C
# xenstored: starts xenstored on a temp-dir socket, plays the toolstack and the tester with
# xenstore-utils, and checks xenstore, the daemon's log and the actions its recording power
# double (--power=record:FILE) wrote. Protocol: docs/protocol.md.
#
# Synchronisation is on events only: xenstore changes are awaited with xenstore-watch
# (registered before the condition is first checked, so no change is missed) and log lines
# with a bounded wait on the log stream. "Did NOT happen" is asserted after a barrier: a
# later testing message the daemon handles in order, whose ack proves it got past the
# earlier event.
#
# Output: TAP ("ok N - name" / "not ok N - name # reason"), then "N passed, N failed".
# Exit status: 0 all selected cases passed, 1 a case failed, 2 usage or setup error.
set -eu

usage() {
	cat <<EOF
usage: $0 [-h] [-l] [-k] [-t SECONDS] [-o DIR] --xenstored PATH --xtvd PATH [CASE-GLOB...]
  --xenstored PATH  the host xenstored (out/host-xenstored/xenstored)
  --xtvd PATH       the daemon (out/daemon/xtvd)
  -o DIR            keep logs (xenstored, daemon, actions, trace) in DIR (default: temp, removed)
  -k                keep the temp dir even when every case passed
  -t SECONDS        timeout of each wait (default 10)
  -l                list the case names and exit
  CASE-GLOB         run only the cases matching one of these globs (cases set up their own
                    state, so any subset works)
EOF
}

XENSTORED="" XTVD="" KEEP_DIR="" KEEP=0 T=10 LIST=0
SELECT=()
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--xenstored) XENSTORED=${2:?}; shift 2 ;;
	--xtvd) XTVD=${2:?}; shift 2 ;;
	-o) KEEP_DIR=${2:?}; shift 2 ;;
	-k) KEEP=1; shift ;;
	-t) T=${2:?}; shift 2 ;;
	-l) LIST=1; shift ;;
	-*) usage >&2; exit 2 ;;
	*) SELECT+=("$1"); shift ;;
	esac
done

XTV_SEND=${XTV_SEND:-$(cd "$(dirname "$0")/../.." && pwd)/install/xtv-send}
XS_KICK=${XS_KICK:-} # tests/lab/tools/xs-kick (xenopsd's remove+write); its case fails without it
HOMEP=/local/domain/0 # a dom0 socket connection's home: relative paths resolve here
DOMID=0               # what the "toolstack" writes into domid
ABSENT='<absent>'     # printed by xsr for a missing node

# ---------------------------------------------------------------------------------------
# Setup and teardown

for tool in xenstore-read xenstore-write xenstore-rm xenstore-watch xenstore-chmod \
	xenstore-exists timeout python3; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool missing (scripts/setup-deps.sh check)" >&2; exit 2; }
done

if [ "$LIST" -eq 0 ]; then
	[ -x "$XENSTORED" ] || { echo "run.sh: --xenstored: '$XENSTORED' not executable" >&2; usage >&2; exit 2; }
	[ -x "$XTVD" ] || { echo "run.sh: --xtvd: '$XTVD' not executable" >&2; usage >&2; exit 2; }
fi

# The socket lives in a short temp path (sun_path is 108 bytes); the logs go to -o DIR.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/xtv-host.XXXXXX")
XSRUN=$WORK/xs
SOCK=$XSRUN/socket
LOGDIR=${KEEP_DIR:-$WORK}
mkdir -p "$XSRUN" "$LOGDIR"
LOGDIR=$(cd "$LOGDIR" && pwd)
DLOG=$LOGDIR/xtvd.log        # the daemon's stdout+stderr, all instances appended
XLOG=$LOGDIR/xenstored.log   # xenstored's stderr, all instances appended
TRACE=$LOGDIR/xenstored.trace
REC=$LOGDIR/actions          # the recording power double's file
OWNER=$WORK/userspace_shutdown # stands in for /sys/module/xen/parameters/userspace_shutdown
export XENSTORED_PATH=$SOCK
echo Y >"$OWNER"
: >"$DLOG"
: >"$XLOG"
: >"$REC"

XS_PID="" D_PID=""
FAILED=0

cleanup() {
	# (set -e applies here too: a killed child's wait status must not become ours)
	[ -z "$D_PID" ] || stop_daemon
	[ -z "$XS_PID" ] || stop_xenstored
	if [ "$KEEP" -eq 1 ] || { [ "$FAILED" -ne 0 ] && [ -z "$KEEP_DIR" ]; }; then
		echo "# kept $WORK" >&2
	else
		rm -rf "$WORK"
	fi
	return 0
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# start_xenstored: a fresh xenstored on $SOCK (empty store); returns once it accepts
# connections: -P prints its pid only after the socket and the node database exist.
start_xenstored() {
	local fifo=$WORK/xs-ready pid=""
	rm -f "$fifo" "$SOCK"
	mkfifo "$fifo"
	XENSTORED_RUNDIR=$XSRUN "$XENSTORED" -N -D -P -T "$TRACE" >"$fifo" 2>>"$XLOG" &
	XS_PID=$!
	read -r -t "$T" pid <"$fifo" || true
	rm -f "$fifo"
	[ "$pid" = "$XS_PID" ] || { echo "run.sh: xenstored did not start (see $XLOG)" >&2; return 1; }
	# What a toolstack creates for a domain before it runs (paths relative to the home).
	xenstore-write "$HOMEP/domid" "$DOMID" "$HOMEP/control" "" "$HOMEP/data" ""
}

stop_xenstored() {
	kill "$XS_PID" 2>/dev/null || true
	wait "$XS_PID" 2>/dev/null || true
	XS_PID=""
}

# start_daemon: a new xtvd instance; returns once it logged event=ready and data/xtv/ready=1.
start_daemon() {
	local mark
	mark=$(log_size)
	"$XTVD" --power="record:$REC" --ownership-file="$OWNER" >>"$DLOG" 2>&1 &
	D_PID=$!
	wait_log "event=ready domid=" "$mark" || { echo "run.sh: xtvd did not become ready (see $DLOG)" >&2; return 1; }
	wait_xs node_is data/xtv/ready 1
}

stop_daemon() {
	kill "$D_PID" 2>/dev/null || true
	wait "$D_PID" 2>/dev/null || true
	D_PID=""
}

daemon_alive() { [ -n "$D_PID" ] && kill -0 "$D_PID" 2>/dev/null; }

# ---------------------------------------------------------------------------------------
# xenstore helpers (paths relative to the home)

# xsr PATH: the value as xenstore-read prints it (non-printables escaped), or $ABSENT.
xsr() { xenstore-read "$HOMEP/$1" 2>/dev/null || printf '%s' "$ABSENT"; }
# xsw PATH VALUE: write VALUE byte for byte (-R: no escape processing).
xsw() { xenstore-write -R "$HOMEP/$1" "$2"; }
# xsw_esc PATH VALUE: write VALUE after xenstore-write's unescaping (\xNN, \t, \\ ...).
xsw_esc() { xenstore-write "$HOMEP/$1" "$2"; }

node_is() { [ "$(xsr "$1")" = "$2" ]; }
node_raw_is() { [ "$(xenstore-read -R "$HOMEP/$1" 2>/dev/null)" = "$2" ] && xenstore-exists "$HOMEP/$1"; }
node_absent() { ! xenstore-exists "$HOMEP/$1" 2>/dev/null; }
nodes_are() { # nodes_are PATH VALUE [PATH VALUE]...
	while [ $# -ge 2 ]; do node_is "$1" "$2" || return 1; shift 2; done
}
num() { local v; v=$(xsr "$1"); case "$v" in '' | *[!0-9]*) echo -1 ;; *) echo "$v" ;; esac; }

# wait_xs PREDICATE ARGS...: true once PREDICATE holds; re-checked at every watch event under
# the home (the watch fires once when registered, so the first check follows registration
# and no later change can be missed). False after $T seconds.
wait_xs() {
	local fd wpid rc=1
	exec {fd}< <(exec timeout "$T" xenstore-watch "$HOMEP" 2>/dev/null)
	wpid=$!
	while IFS= read -r -u "$fd" _; do
		if "$@"; then rc=0; break; fi
	done
	kill "$wpid" 2>/dev/null || true
	exec {fd}<&-
	[ "$rc" -eq 0 ] && return 0
	# No event made it true within $T: say so if it holds now (a missed wake-up would be a
	# harness bug, and the case must not pass silently after a full timeout).
	if "$@"; then echo "# wait_xs: '$*' true only after the ${T}s timeout" >&2; fi
	return 1
}

# ---------------------------------------------------------------------------------------
# Log and actions helpers

LOG_MARK=0 # byte offset of the daemon log where the current case began
log_size() { wc -c <"$DLOG" | tr -d ' '; }
log_since() { tail -c +"$((LOG_MARK + 1))" "$DLOG"; }
log_has() { log_since | grep -qF -- "$1"; }
log_count() { log_since | grep -cF -- "$1" || true; }

# wait_log FIXED-STRING [OFFSET]: true once a line containing it appears after OFFSET
# (default LOG_MARK); false after $T.
wait_log() {
	local fd tpid line rc=1 from=${2:-$LOG_MARK}
	exec {fd}< <(exec timeout "$T" tail -c +"$((from + 1))" -F "$DLOG" 2>/dev/null)
	tpid=$!
	while IFS= read -r -u "$fd" line; do
		case "$line" in *"$1"*) rc=0; break ;; esac
	done
	kill "$tpid" 2>/dev/null || true
	exec {fd}<&-
	return "$rc"
}

REC_BASE=0 # lines of the actions file when the current case began
rec_count() { wc -l <"$REC" | tr -d ' '; }
rec_new() { tail -n +"$((REC_BASE + 1))" "$REC" | tr '\n' ' ' | sed 's/ $//'; }

# ---------------------------------------------------------------------------------------
# Assertions: each sets REASON and returns 1 on failure.

REASON=""
fail() { REASON=$*; return 1; }

expect_node() { # expect_node PATH VALUE
	local v; v=$(xsr "$1")
	[ "$v" = "$2" ] || fail "$1 is '$v', expected '$2'"
}
expect_absent() { node_absent "$1" || fail "$1 exists ('$(xsr "$1")'), expected it deleted"; }
expect_actions() { # expect_actions "A B ...": exactly these actions recorded in this case
	local got; got=$(rec_new)
	[ "$got" = "$1" ] || fail "recorded actions '${got}', expected '${1}'"
}
expect_log() { log_has "$1" || fail "log lacks: $1"; }
last_starts_with() { case "$(xenstore-read -R "$HOMEP/data/xtv/last" 2>/dev/null)" in "$1"*) return 0 ;; esac; return 1; }
expect_last_prefix() {
	wait_xs last_starts_with "$1" || fail "data/xtv/last is '$(xsr data/xtv/last)', expected '$1...'"
}
# expect_last TEXT: data/xtv/last describes the event just handled (awaited: it is written
# after the ack; the next event, e.g. a barrier, replaces it).
expect_last() {
	wait_xs node_is data/xtv/last "$1" || fail "data/xtv/last is '$(xsr data/xtv/last)', expected '$1'"
}
expect_no_log() { ! log_has "$1" || fail "log unexpectedly has: $1"; }
expect_alive() {
	local st=0
	daemon_alive && return 0
	wait "$D_PID" 2>/dev/null || st=$?
	D_PID=""
	fail "xtvd died, exit status $st (see $DLOG)"
}
await() { # await DESCRIPTION PREDICATE ARGS...
	local what=$1; shift
	wait_xs "$@" || fail "timeout (${T}s) waiting for $what"
}
await_log() { wait_log "$1" || fail "timeout (${T}s) waiting for log: $1"; }

# ---------------------------------------------------------------------------------------
# Protocol helpers

# barrier: a valid "now/ignore" message; returns once it is acknowledged and counted. The
# daemon handles events in order, so everything written before the barrier has been
# handled when this returns. (Unique spacing only makes each barrier easy to find in the
# log: every write is a message, the same value included.)
BARRIER_N=0
barrier() {
	local h spaces
	BARRIER_N=$((BARRIER_N + 1))
	printf -v spaces '%*s' "$BARRIER_N" ''
	h=$(num data/xtv/handled)
	[ "$h" -ge 0 ] || fail "data/xtv/handled is '$(xsr data/xtv/handled)', not a number" || return 1
	xsw control/testing "{$spaces\"when\":\"now\",\"ack\":\"ok\",\"action\":\"ignore\"}"
	await "barrier #$BARRIER_N acked and counted" barrier_done "$((h + 1))"
}
barrier_done() { node_is control/testing "" && [ "$(num data/xtv/handled)" -ge "$1" ]; }

# send_testing MESSAGE [raw|esc]: write a testing message and wait for its ack ("").
send_testing() {
	if [ "${2:-raw}" = esc ]; then xsw_esc control/testing "$1"; else xsw control/testing "$1"; fi
	await "control/testing acked" node_is control/testing ""
}

# request VALUE: the toolstack writes a shutdown request.
request() { xsw control/shutdown "$1"; }

# set_override ACK ACTION: a pending onshutdown override, checked in data/xtv/pending.
set_override() {
	send_testing "{\"when\":\"onshutdown\",\"ack\":\"$1\",\"action\":\"$2\"}" || return 1
	await "data/xtv/pending = override" node_is data/xtv/pending "$(pending_json "$1" "$2")"
}
pending_json() { printf '{"when":"onshutdown","ack":"%s","action":"%s"}' "$1" "$2"; }

# reset_state [KEEP_PENDING]: no pending override (unless KEEP_PENDING is 1), control/shutdown "" (seen by the daemon), control/testing
# "". Used before each case so that cases do not depend on each other.
reset_state() {
	if [ "${1:-0}" -eq 0 ] && ! node_is data/xtv/pending ""; then
		# Consume the override with a harmless request.
		set_override ok ignore || return 1
		request poweroff
		await "override consumed" node_is data/xtv/pending "" || return 1
	fi
	node_is control/shutdown "" || xsw control/shutdown ""
	node_is control/testing "" || xsw control/testing ""
	barrier
}

# ---------------------------------------------------------------------------------------
# Case runner

N=0 PASS=0 FAIL=0
CASES=()
selected() {
	local g
	[ ${#SELECT[@]} -eq 0 ] && return 0
	for g in "${SELECT[@]}"; do
		# shellcheck disable=SC2053 # glob match intended
		[[ $1 == $g ]] && return 0
	done
	return 1
}

# run_case [-p] NAME FUNCTION [ARGS...]   (-p: keep a pending override from earlier cases)
run_case() {
	local keep_pending=0
	[ "$1" = -p ] && { keep_pending=1; shift; }
	local name=$1; shift
	CASES+=("$name")
	[ "$LIST" -eq 1 ] && { echo "$name"; return 0; }
	selected "$name" || return 0
	N=$((N + 1))
	REASON=""
	local ok=1 st
	if ! kill -0 "$XS_PID" 2>/dev/null; then
		st=0; wait "$XS_PID" 2>/dev/null || st=$?
		echo "# xenstored is not running (exit status $st): restarting it for $name"
		start_xenstored || ok=0
	fi
	if ! daemon_alive; then
		st=0; wait "$D_PID" 2>/dev/null || st=$?
		echo "# xtvd is not running (exit status $st): restarting it for $name"
		D_PID=""
		start_daemon || ok=0
	fi
	if [ "$ok" -eq 1 ] && ! reset_state "$keep_pending"; then
		ok=0
		REASON="setup: $REASON"
	fi
	LOG_MARK=$(log_size)
	REC_BASE=$(rec_count)
	if [ "$ok" -eq 1 ] && "$@" && expect_alive; then
		PASS=$((PASS + 1))
		echo "ok $N - $name"
	else
		[ -n "$REASON" ] || REASON="failed"
		FAIL=$((FAIL + 1))
		FAILED=1
		echo "not ok $N - $name # ${REASON//$'\n'/ }"
		log_since | sed -n '1,40s/^/#   /p'
	fi
}

# ---------------------------------------------------------------------------------------
# Cases

case_startup() {
	local first
	# The first daemon instance's first output line (start_daemon ran before any case).
	first=$(head -n 1 "$DLOG")
	case "$first" in
	"xtvd: event=start domid=$DOMID "*) ;;
	*) fail "first log line is '$first', expected 'xtvd: event=start domid=$DOMID ...'" || return 1 ;;
	esac
	case "$first" in *" power=record"*) ;; *) fail "start line lacks power=record: $first" || return 1 ;; esac
	head -n 20 "$DLOG" | grep -qF "event=ready domid=$DOMID" || fail "no 'event=ready domid=$DOMID'" || return 1
	expect_node control/feature-poweroff 1 &&
		expect_node control/feature-reboot 1 &&
		expect_node control/feature-suspend 1 &&
		expect_node data/xtv/ready 1 &&
		expect_node data/xtv/domid "$DOMID" || return 1
	[ -n "$(xsr data/xtv/version)" ] && [ "$(xsr data/xtv/version)" != "$ABSENT" ] ||
		fail "data/xtv/version empty or absent" || return 1
	[ "$(num data/xtv/handled)" -ge 0 ] || fail "data/xtv/handled not a number" || return 1
	[ "$(num data/xtv/rejected)" -ge 0 ] || fail "data/xtv/rejected not a number" || return 1
	expect_actions ""
}

# A plain shutdown request, no override: acked "", then the action.
case_shutdown() {
	local what=$1 h
	h=$(num data/xtv/handled)
	request "$what"
	await "control/shutdown acked" node_is control/shutdown "" || return 1
	# data/xtv/last describes the request until the next event (the barrier) replaces it.
	expect_last "ok shutdown request=$what override=no ack=ok action=$what" || return 1
	barrier || return 1
	expect_actions "$what" || return 1
	expect_log "event=decision node=control/shutdown verdict=handled ack=ok action=$what" &&
		expect_log "event=ack node=control/shutdown mode=ok result=ok" &&
		expect_log "event=action action=$what" || return 1
	[ "$(num data/xtv/handled)" -eq $((h + 2)) ] || fail "data/xtv/handled is $(num data/xtv/handled), expected $((h + 2)) (request + barrier)"
}

# suspend: the double reports "cancelled"; the daemon logs the resume, re-reads domid,
# re-publishes its status and keeps serving.
case_shutdown_suspend() {
	xsw domid 23 # a restored domain has a new domid; the daemon must re-read it
	case_shutdown suspend || { xsw domid "$DOMID"; return 1; }
	xsw domid "$DOMID"
	expect_log "event=resume outcome=cancelled domid=23" || return 1
	expect_node data/xtv/domid 23 || return 1
	expect_node data/xtv/ready 1 || return 1
	# Still serving after the resume: a second request is handled normally.
	LOG_MARK=$(log_size)
	REC_BASE=$(rec_count)
	case_shutdown reboot
}

case_shutdown_unknown() {
	local value=$1 r h
	r=$(num data/xtv/rejected)
	h=$(num data/xtv/handled)
	xsw_esc control/shutdown "$value"
	await "data/xtv/rejected incremented" node_is data/xtv/rejected "$((r + 1))" || return 1
	# data/xtv/last describes the rejection until the barrier replaces it.
	expect_last_prefix "rejected shutdown: unknown request " || return 1
	barrier || return 1
	# Not acknowledged: still the request (xenstore-read escapes it as it was written).
	expect_node control/shutdown "$value" || return 1
	expect_actions "" || return 1
	expect_log "event=reject node=control/shutdown" || return 1
	expect_no_log "event=ack node=control/shutdown" || return 1
	# Only the barrier was handled.
	[ "$(num data/xtv/handled)" -eq $((h + 1)) ] || fail "data/xtv/handled counted the unknown request"
}

# An ack that changes the node forgets the request: the same request right after the ack
# (no barrier, no "" written by the toolstack) is a new request.
case_shutdown_repeat() {
	request poweroff
	await "first request acked" node_is control/shutdown "" || return 1
	request poweroff
	await "second request acked" node_is control/shutdown "" || return 1
	barrier || return 1
	expect_actions "poweroff poweroff"
}

case_testing_now() {
	local action=$1 expect=$1
	[ "$action" = ignore ] && expect=""
	send_testing "{\"when\":\"now\",\"ack\":\"ok\",\"action\":\"$action\"}" || return 1
	barrier || return 1
	expect_actions "$expect" || return 1
	expect_log "event=decision node=control/testing verdict=handled" || return 1
	expect_node control/shutdown "" || return 1
	if [ "$action" = suspend ]; then expect_log "event=resume outcome=cancelled" || return 1; fi
	expect_node data/xtv/pending ""
}

# The ack is sent with the read (docs/protocol.md): in xenstored's own trace, the daemon's
# transaction connection sends its READ of control/testing and its WRITE of "" before the
# READ is answered, between a start and a commit: three round trips, the kernel's four.
case_ack_sent_with_read() {
	local mark seq want
	want="IN:TRANSACTION_START OUT:TRANSACTION_START IN:READ IN:WRITE OUT:READ OUT:WRITE"
	want="$want IN:TRANSACTION_END OUT:TRANSACTION_END"
	mark=$(wc -l <"$TRACE")
	send_testing '{"when":"now","ack":"ok","action":"ignore"}' || return 1
	# The connection that read control/testing; its messages from that transaction's start
	# to its end (xenstored traces "IN|OUT CONN DATE TIME TYPE (ARGS)").
	seq=$(tail -n +"$((mark + 1))" "$TRACE" | awk '
		($1 == "IN" || $1 == "OUT") { n++; dir[n] = $1; conn[n] = $2; type[n] = $5; arg[n] = $6 }
		END {
			for (i = 1; i <= n && !c; i++)
				if (dir[i] == "IN" && type[i] == "READ" && arg[i] == "(control/testing") c = conn[i]
			for (i = 1; i <= n; i++) {
				if (conn[i] != c) continue
				if (type[i] == "TRANSACTION_START" && dir[i] == "IN") { s = ""; on = 1 }
				if (on) s = s (s == "" ? "" : " ") dir[i] ":" type[i]
				if (on && type[i] == "TRANSACTION_END" && dir[i] == "OUT") { print s; exit }
			}
		}')
	[ "$seq" = "$want" ] || fail "the daemon's transaction was '$seq', expected '$want'"
}

# now leaves a pending override in place.
case_testing_now_keeps_pending() {
	set_override ok halt || return 1
	send_testing '{"when":"now","ack":"ok","action":"reboot"}' || return 1
	barrier || return 1
	expect_node data/xtv/pending "$(pending_json ok halt)" || return 1
	request poweroff
	await "control/shutdown acked" node_is control/shutdown "" || return 1
	barrier || return 1
	expect_actions "reboot halt"
}

# case_override ACK ACTION REQUEST: onshutdown override, then a request; then the override
# must be consumed: the following request behaves normally.
case_override() {
	local ack=$1 action=$2 req=$3 expect=$2 next=reboot mode
	[ "$action" = ignore ] && expect=""
	[ "$req" = reboot ] && next=poweroff
	set_override "$ack" "$action" || return 1
	request "$req"
	case "$ack" in
	ok) await "control/shutdown acked" node_is control/shutdown "" || return 1 ;;
	delete) await "control/shutdown deleted" node_absent control/shutdown || return 1 ;;
	none) await "override consumed" node_is data/xtv/pending "" || return 1 ;;
	*) await "control/shutdown = '$ack'" node_is control/shutdown "$ack" || return 1 ;;
	esac
	local ackdesc=$ack
	case "$ack" in ok | none | delete) ;; *) ackdesc="\"$ack\"" ;; esac
	expect_last "ok shutdown request=$req override=yes ack=$ackdesc action=$action" || return 1
	barrier || return 1
	case "$ack" in
	ok) expect_node control/shutdown "" ;;
	delete) expect_absent control/shutdown ;;
	none) expect_node control/shutdown "$req" ;;
	*) expect_node control/shutdown "$ack" ;;
	esac || return 1
	expect_actions "$expect" || return 1
	expect_node data/xtv/pending "" || return 1
	case "$ack" in ok | none | delete) mode=$ack ;; *) mode=string ;; esac
	expect_log "event=decision node=control/shutdown verdict=handled ack=$mode action=$action" || return 1
	# Consumed once: the next request (after the toolstack clears the node) is normal.
	xsw control/shutdown ""
	barrier || return 1
	REC_BASE=$(rec_count)
	request "$next"
	await "next request acked" node_is control/shutdown "" || return 1
	barrier || return 1
	expect_actions "$next"
}

# A request held on purpose (ack none, or a custom string with action ignore) stays in
# control/shutdown; unrelated events and a respawned daemon's re-read neither acknowledge
# nor act on it (event=skip) ...
case_held() {
	local ack=$1 req=$2 stays
	stays=$req
	[ "$ack" = none ] || stays=$ack
	set_override "$ack" ignore || return 1
	request "$req"
	await "override consumed" node_is data/xtv/pending "" || return 1
	barrier || return 1
	expect_node control/shutdown "$stays" || return 1
	# Unrelated events: more testing messages, a rejected one.
	send_testing '{"when":"now","ack":"ok","action":"bogus-action"}' || return 1
	barrier || return 1
	expect_node control/shutdown "$stays" || return 1
	expect_actions "" || return 1
	expect_node data/xtv/held-shutdown "$stays" || return 1
	# A respawned daemon reloads what it holds and does not act either.
	local restart_mark
	restart_mark=$(log_size)
	stop_daemon
	start_daemon || fail "xtvd did not restart" || return 1
	barrier || return 1
	tail -c +"$((restart_mark + 1))" "$DLOG" | grep -qF "event=skip node=control/shutdown" ||
		fail "restarted xtvd did not log event=skip for control/shutdown" || return 1
	expect_node control/shutdown "$stays" || return 1
	expect_actions "" || return 1
	local n
	n=$(log_count "event=decision node=control/shutdown")
	[ "$n" -eq 1 ] || fail "control/shutdown decided $n times, expected once" || return 1
	expect_node data/xtv/pending ""
}

# ... but the toolstack writing the request again (xl shutdown after its ack timeout, the
# same value) is a new request: acknowledged "" and carried out (issue 8, item 1).
case_retry_after_hold() {
	local ack=$1 req=$2
	case_held "$ack" "$req" || return 1
	LOG_MARK=$(log_size)
	request "$req"
	await "the retry acked" node_is control/shutdown "" || return 1
	barrier || return 1
	expect_actions "$req" || return 1
	expect_log "event=decision node=control/shutdown verdict=handled ack=ok action=$req"
}

# Two writes of the request reach the daemon before it has decided on the first (it is
# stopped meanwhile), as the two events of an oxenstored remove+write transaction do:
# one decision; the second event is coalesced, not taken for a retry.
case_coalesced() {
	set_override none ignore || return 1
	kill -STOP "$D_PID"
	request poweroff
	request poweroff
	kill -CONT "$D_PID"
	await "override consumed" node_is data/xtv/pending "" || return 1
	barrier || return 1
	expect_node control/shutdown poweroff || return 1
	expect_actions "" || return 1
	expect_log "event=coalesce node=control/shutdown events=1" || return 1
	local n
	n=$(log_count "event=decision node=control/shutdown")
	[ "$n" -eq 1 ] || fail "control/shutdown decided $n times, expected once" || return 1
}

# A value written and replaced before the daemon reads it is never acted on: libxl cancels
# a timed-out suspend by writing "" (issue 8, item 3).
case_cancelled_before_read() {
	kill -STOP "$D_PID"
	request suspend
	xsw control/shutdown ""
	kill -CONT "$D_PID"
	barrier || return 1
	expect_node control/shutdown "" || return 1
	expect_actions "" || return 1
	expect_no_log "event=action action=suspend"
}

# Written while the daemon was away, in this order: the override, then the request. A
# (re)started daemon reads control/testing first, so the override meets the request
# (issue 8, item 5).
case_start_reads_testing_first() {
	stop_daemon
	xsw control/testing '{"when":"onshutdown","ack":"none","action":"ignore"}'
	request reboot
	start_daemon || fail "xtvd did not restart" || return 1
	await "control/testing acked" node_is control/testing "" || return 1
	await "override consumed" node_is data/xtv/pending "" || return 1
	barrier || return 1
	expect_node control/shutdown reboot || return 1
	expect_actions ""
}

# A new domain (data/xtv absent) with an override already in control/testing: the daemon
# answers it before it publishes its status and ready=1 (docs/protocol.md, "Start-up
# order"), and what it publishes then keeps what the answer changed (the override, the
# counter, last) and creates the empty keys.
case_first_message_before_ready() {
	local mark since
	stop_daemon
	xenstore-rm "$HOMEP/data/xtv"
	xsw control/testing "$(pending_json ok reboot)"
	mark=$(log_size)
	start_daemon || fail "xtvd did not restart" || return 1
	expect_node control/testing "" || return 1
	since=$(tail -c +"$((mark + 1))" "$DLOG")
	grep -qF "event=ack node=control/testing" <<<"$since" || fail "no ack logged at start" || return 1
	grep -F -e "event=ack node=control/testing" -e "event=ready" <<<"$since" | head -n 1 |
		grep -qF "event=ack" || fail "event=ready logged before the ack" || return 1
	expect_node data/xtv/pending "$(pending_json ok reboot)" || return 1
	expect_node data/xtv/handled 1 || return 1
	expect_last_prefix "ok testing" || return 1
	node_raw_is data/xtv/held-testing-as "" || fail "data/xtv/held-testing-as not created empty" || return 1
	request poweroff
	await "control/shutdown acked" node_is control/shutdown "" || return 1
	barrier || return 1
	expect_actions reboot
}

# After a suspend the daemon registers its watches anew and writes the feature nodes and
# ready again (libxl recreates the feature nodes empty on restore; issue 8, item 6).
case_resume_republishes() {
	xsw control/feature-poweroff ""
	xsw control/feature-suspend ""
	request suspend
	await_log "event=resume outcome=cancelled" || return 1
	await "control/feature-poweroff = 1" node_is control/feature-poweroff 1 || return 1
	await "control/feature-suspend = 1" node_is control/feature-suspend 1 || return 1
	expect_node data/xtv/ready 1 || return 1
	barrier || return 1
	expect_actions suspend || return 1
	# The watches of the new generation serve the next request.
	REC_BASE=$(rec_count)
	request halt
	await "control/shutdown acked" node_is control/shutdown "" || return 1
	barrier || return 1
	expect_actions halt
}

# Booted without xen.userspace_shutdown=1 (the kernel answers control/shutdown): the daemon
# says so loudly, leaves control/shutdown alone and rejects onshutdown overrides; now
# actions still work (issue 8, item 4).
case_kernel_owns_shutdown() {
	local mark
	stop_daemon
	echo N >"$OWNER"
	mark=$(log_size)
	start_daemon || { echo Y >"$OWNER"; fail "xtvd did not start"; return 1; }
	echo Y >"$OWNER"
	tail -c +"$((mark + 1))" "$DLOG" | grep -qF 'event=error op=ownership owner=kernel' ||
		fail "no 'event=error op=ownership owner=kernel' at start" || return 1
	expect_node data/xtv/shutdown-owner kernel || return 1
	request poweroff
	barrier || return 1
	expect_node control/shutdown poweroff || return 1
	expect_no_log "event=message node=control/shutdown" || return 1
	send_testing 'next:reboot' || return 1
	expect_last_prefix "rejected testing: onshutdown needs xen.userspace_shutdown=1" || return 1
	expect_node data/xtv/pending "" || return 1
	send_testing 'now:halt' || return 1
	barrier || return 1
	expect_actions halt || return 1
	# Back to the daemon owning control/shutdown for the following cases.
	xsw control/shutdown ""
	stop_daemon
	start_daemon || fail "xtvd did not restart" || return 1
	expect_node data/xtv/shutdown-owner daemon
}

# xenopsd's way (xs-kick: remove + write in one transaction, also for the retry): the held
# request is not acknowledged, the retry is (issue 8, item 1, as XenServer does it).
case_xenopsd_retry() {
	[ -x "$XS_KICK" ] || fail "XS_KICK ('$XS_KICK') is not an executable xs-kick" || return 1
	local rc=0
	set_override none ignore || return 1
	"$XS_KICK" "$DOMID" poweroff 1000 || rc=$?
	[ "$rc" -eq 3 ] || fail "first remove+write: xs-kick exit $rc, expected 3 (not acknowledged)" || return 1
	expect_node data/xtv/pending "" || return 1
	rc=0
	"$XS_KICK" "$DOMID" poweroff $((T * 1000)) || rc=$?
	[ "$rc" -eq 0 ] || fail "the retry: xs-kick exit $rc, expected 0 (acknowledged)" || return 1
	barrier || return 1
	expect_actions poweroff
}

# After a custom-string ack, writing the request again changes the node and is a new
# request; the same message written twice to control/testing is two messages.
case_rewrite_rules() {
	set_override still-string ignore || return 1
	request halt
	await "control/shutdown = still-string" node_is control/shutdown still-string || return 1
	barrier || return 1
	request halt # the node changes back to the request: a new one
	await "control/shutdown acked" node_is control/shutdown "" || return 1
	barrier || return 1
	expect_actions halt || return 1
	REC_BASE=$(rec_count)
	send_testing 'now:reboot' || return 1
	send_testing 'now:reboot' || return 1
	barrier || return 1
	expect_actions "reboot reboot"
}

# Boundaries: exactly PROTOCOL_MAX_MESSAGE (1024) bytes and a 128-byte ack string are valid;
# leading spaces before the JSON object are allowed.
case_limits_accepted() {
	local msg pad ack128
	msg='{"when":"now","ack":"ok","action":"reboot"}'
	printf -v pad '%*s' $((1024 - ${#msg})) ''
	msg="{$pad${msg#\{}"
	[ ${#msg} -eq 1024 ] || fail "harness: message is ${#msg} bytes" || return 1
	send_testing "$msg" || return 1
	barrier || return 1
	expect_actions reboot || return 1
	REC_BASE=$(rec_count)
	send_testing '   {"when":"now","ack":"ok","action":"halt"}' || return 1
	barrier || return 1
	expect_actions halt || return 1
	ack128=$(printf 'b%.0s' $(seq 128))
	set_override "$ack128" ignore || return 1
	REC_BASE=$(rec_count)
	request poweroff
	await "control/shutdown = 128-byte ack" node_is control/shutdown "$ack128" || return 1
	barrier || return 1
	expect_actions ""
}

# A custom ack string with JSON escapes is written unescaped and kept canonical in pending.
case_override_escaped() {
	send_testing '{"when":"onshutdown","ack":"say \"hi\" \\o/","action":"ignore"}' || return 1
	await "data/xtv/pending canonical" node_raw_is data/xtv/pending '{"when":"onshutdown","ack":"say \"hi\" \\o/","action":"ignore"}' ||
		fail "data/xtv/pending is '$(xenstore-read -R "$HOMEP/data/xtv/pending")'" || return 1
	request poweroff
	await "control/shutdown = say \"hi\" \\o/" node_raw_is control/shutdown 'say "hi" \o/' ||
		fail "control/shutdown is '$(xenstore-read -R "$HOMEP/control/shutdown")'" || return 1
	barrier || return 1
	expect_actions ""
}

case_legacy_now() {
	local expect=$1
	[ "$1" = ignore ] && expect=""
	send_testing "now:$1" || return 1
	barrier || return 1
	expect_actions "$expect" || return 1
	expect_node data/xtv/pending ""
}

case_legacy_next() {
	send_testing "next:$1" || return 1
	await "data/xtv/pending = override" node_is data/xtv/pending "$(pending_json ok "$1")" || return 1
	request poweroff
	await "control/shutdown acked" node_is control/shutdown "" || return 1
	barrier || return 1
	expect_actions "$1" || return 1
	expect_node data/xtv/pending ""
}

# Bad testing messages. A pending override is set first; every bad message must be acked,
# counted as rejected, described in data/xtv/last and the log, and leave the override as is.
SURVIVOR=bad-input-survivor
SURVIVOR_SET=0
case_bad_setup() {
	set_override "$SURVIVOR" reboot && SURVIVOR_SET=1
}
# ensure_survivor: (for subset runs) set the override if no earlier case did.
ensure_survivor() {
	[ "$SURVIVOR_SET" -eq 1 ] || case_bad_setup
}

# case_bad MODE VALUE REASON-PREFIX  (MODE raw: bytes as given; esc: xenstore-write escapes)
case_bad() {
	local mode=$1 value=$2 prefix=$3 r
	ensure_survivor || return 1
	LOG_MARK=$(log_size)
	r=$(num data/xtv/rejected)
	send_testing "$value" "$mode" || return 1
	await "data/xtv/rejected = $((r + 1))" node_is data/xtv/rejected "$((r + 1))" || return 1
	expect_last_prefix "rejected testing: $prefix" || return 1
	expect_log "event=reject node=control/testing reason=" || return 1
	log_since | grep -F "event=reject node=control/testing" | grep -qF -- "${prefix//\"/\\\"}" ||
		fail "reject line lacks reason '$prefix'" || return 1
	barrier || return 1
	expect_node data/xtv/pending "$(pending_json "$SURVIVOR" reboot)" || return 1
	expect_actions ""
}

# The empty value is the daemon's own ack: silence, no rejection, no log line.
case_bad_empty() {
	local r
	ensure_survivor || return 1
	r=$(num data/xtv/rejected)
	xsw control/testing ""
	barrier || return 1
	[ "$(num data/xtv/rejected)" -eq "$r" ] || fail "rejected count changed by the empty value" || return 1
	expect_no_log 'event=reject' || return 1
	expect_no_log 'event=message node=control/testing len=0' || return 1
	expect_node data/xtv/pending "$(pending_json "$SURVIVOR" reboot)"
}

# The override set before the bad messages still applies, once.
case_bad_override_applies() {
	ensure_survivor || return 1
	node_is data/xtv/pending "$(pending_json "$SURVIVOR" reboot)" || fail "override lost: data/xtv/pending is '$(xsr data/xtv/pending)'" || return 1
	request poweroff
	await "control/shutdown = $SURVIVOR" node_is control/shutdown "$SURVIVOR" || return 1
	barrier || return 1
	expect_actions reboot || return 1
	expect_node data/xtv/pending ""
}

# XS_CONTROL to xenstored (no xenstore-control in xenstore-utils): xs_control ARG...
xs_control() {
	python3 - "$SOCK" "$@" <<'PY'
import socket, struct, sys
XS_CONTROL, XS_ERROR = 0, 16
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
body = b"".join(a.encode() + b"\0" for a in sys.argv[2:])
s.sendall(struct.pack("<IIII", XS_CONTROL, 1, 0, len(body)) + body)
def recv(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            sys.exit("xs_control: connection closed")
        b += c
    return b
typ, _, _, ln = struct.unpack("<IIII", recv(16))
reply = recv(ln).rstrip(b"\0").decode(errors="replace")
if typ == XS_ERROR:
    sys.exit("xs_control: " + reply)
print(reply)
PY
}

# A failing xenstore write. A dom0 socket connection is privileged, so xenstored never
# answers it with EACCES and no per-domain quota applies (EACCES on the testing ack is
# what happens under xl without xenstore-chmod: covered by the Xen lab). The one limit
# xenstored applies to every connection is the node path length: with path-max 15,
# data/xtv/handled (16 bytes after the home, written after the ack) cannot be written
# (EINVAL) while control/testing and data/xtv/last still can. The daemon must log the
# failure and keep serving once the limit is lifted.
case_write_failure() {
	local old
	old=$(xs_control quota | sed -n 's/^path-max *: *\([0-9][0-9]*\) .*/\1/p')
	[ -n "$old" ] || fail "cannot read xenstored's path-max quota" || return 1
	xs_control quota set path-max 15 >/dev/null || fail "cannot set path-max" || return 1
	xsw control/testing '{"when":"now","ack":"ok","action":"halt"}'
	await_log "path=data/xtv/handled errno=22" || { xs_control quota set path-max "$old" >/dev/null; return 1; }
	# Lift the limit again; the daemon must still be serving.
	xs_control quota set path-max "$old" >/dev/null || fail "cannot restore path-max" || return 1
	expect_alive || return 1
	log_since | grep -F "event=error" | grep -qF "path=data/xtv/handled errno=22" ||
		fail "no 'event=error ... path=data/xtv/handled errno=22'" || return 1
	barrier || return 1
	echo "# write failure: recorded actions '$(rec_new)', control/testing '$(xsr control/testing)'"
	REC_BASE=$(rec_count)
	request poweroff
	await "control/shutdown acked after the failure" node_is control/shutdown "" || return 1
	barrier || return 1
	expect_actions poweroff
}

# cut_proxy_start: a relay on $CUT_SOCK to xenstored's socket, for the daemon only, that
# breaks one connection when told. Writing a MODE into $CUT_ARM arms it for the next
# message of its kind that a client sends, on any connection: `read` closes the
# connection instead of passing on a READ made inside a transaction; `commit` passes on a
# commit (TRANSACTION_END "T"), waits for xenstored's reply and closes the connection
# instead of passing the reply on (the commit landed, its reply is lost); `commit-write
# PATH VALUE` does the same and writes VALUE to PATH before it closes the connection, as a
# toolstack writing a new request in that instant would; `commit-drop`
# closes it instead of passing on the commit (xenstored drops the transaction); `put`
# passes on a write or removal made inside a transaction and every reply up to its own,
# which it holds back as it closes the connection (the read before it answered, the
# put's answer lost);
# `commit-drop PATH` does the same after writing "" to PATH on a connection of its own,
# as another writer would in that instant (libxl cancelling a suspend).
# `watch-late PATH VALUE [COUNT [PATH2 VALUE2]]` does not cut: it holds back xenstored's
# reply to the daemon's next barrier watch, writes VALUE to PATH (COUNT times, then VALUE2
# to PATH2) meanwhile, and passes on the barrier's firing and those writes' events before
# the reply, as the Linux xenbus device may order them (a reply comes from the xenbus
# thread, events from the xenwatch thread). `watch-late-early PATH VALUE COUNT [PATH2
# VALUE2]` makes those writes before it passes the barrier watch on, so that their events
# come before the barrier's firing, which still comes before the reply (as when a flood
# was on its way to the guest before the watch request). `commit-conflict N [PATH]` does
# not cut either: it passes the next N commits (of transactions that read PATH, if given)
# on as aborts and answers each with EAGAIN, as xenstored answers a transaction another
# writer got into; with N `-`, every such commit until $CUT_ARM is removed. The proxy
# removes $CUT_ARM when it has done what it was armed for, and logs to $CUT_LOG.
CUT_SOCK="" CUT_ARM="" CUT_PID=""
cut_proxy_start() {
	CUT_SOCK=$WORK/cut.sock CUT_ARM=$WORK/cut.arm CUT_LOG=$LOGDIR/cut-proxy.log
	rm -f "$CUT_SOCK" "$CUT_ARM"
	python3 - "$CUT_SOCK" "$SOCK" "$CUT_ARM" >>"$CUT_LOG" 2>&1 <<'PY' &
import os, selectors, socket, struct, sys
listen_path, real_path, arm_path = sys.argv[1:4]
XS_READ, XS_WATCH, XS_TRANSACTION_END, XS_WRITE, XS_RM, XS_WATCH_EVENT, XS_ERROR = 2, 4, 7, 11, 13, 15, 16
HDR = 16
sel = selectors.DefaultSelector()
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(listen_path)
srv.listen(16)
sel.register(srv, selectors.EVENT_READ, None)
print("listening", flush=True)

def armed():
    try:
        with open(arm_path) as f:
            return f.read().strip()
    except FileNotFoundError:
        return ""

def write_value(path, value=""):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(real_path)
        body = path.encode() + b"\0" + value.encode()
        s.sendall(struct.pack("<IIII", XS_WRITE, 1, 0, len(body)) + body)
        typ, _r, _t, ln = struct.unpack("<IIII", recv_exact(s, HDR))
        reply = recv_exact(s, ln).rstrip(b"\0").decode()
        print("wrote %r to" % value, path, "reply", typ, reply, flush=True)

def recv_msg(sock):
    hdr = recv_exact(sock, HDR)
    typ, _r, _t, ln = struct.unpack("<IIII", hdr)
    return typ, hdr + recv_exact(sock, ln)

def recv_exact(sock, n):
    b = b""
    while len(b) < n:
        c = sock.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b

class Pair:
    def __init__(self, client):
        self.client, self.buf = client, b""
        self.read_in = {}  # transaction id: the paths read in it
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.connect(real_path)
        sel.register(client, selectors.EVENT_READ, (self, "up"))
        sel.register(self.server, selectors.EVENT_READ, (self, "down"))

    def close(self):
        for s in (self.client, self.server):
            sel.unregister(s)
            s.close()

    def cut(self, mode, what):
        os.unlink(arm_path)
        print("cut", mode, what, flush=True)
        self.close()

    # Client to xenstored, message by message: the cut must fall between messages.
    def up(self, data):
        self.buf += data
        while len(self.buf) >= HDR:
            typ, _req, tx, ln = struct.unpack("<IIII", self.buf[:HDR])
            if len(self.buf) < HDR + ln:
                return True
            msg, self.buf = self.buf[:HDR + ln], self.buf[HDR + ln:]
            words, body = armed().split(), msg[HDR:]
            mode = words[0] if words else ""
            if typ == XS_READ and tx != 0:
                self.read_in.setdefault(tx, set()).add(body.rstrip(b"\0").decode())
            if mode == "read" and typ == XS_READ and tx != 0:
                self.cut(mode, body.rstrip(b"\0").decode())
                return False
            commit = typ == XS_TRANSACTION_END and body == b"T\0"
            if mode == "commit-drop" and commit:
                if len(words) > 1:
                    write_value(words[1])
                self.cut(mode, "tx %d" % tx)
                return False
            if mode == "commit-conflict" and commit and (
                    len(words) < 3 or words[2] in self.read_in.get(tx, ())):
                if self.conflict(msg, words[1:]):
                    continue
                return False
            if typ == XS_TRANSACTION_END:
                self.read_in.pop(tx, None)
            barrier_watch = typ == XS_WATCH and body.startswith(b"data/xtv/barrier\0")
            if mode == "watch-late-early" and barrier_watch:
                self.write_and_pass(words[1:])
            self.server.sendall(msg)
            if mode in ("watch-late", "watch-late-early") and barrier_watch:
                self.watch_late([] if mode == "watch-late-early" else words[1:])
                continue
            if mode == "put" and typ in (XS_WRITE, XS_RM) and tx != 0:
                while True:  # the replies before the put's own are passed on
                    rtyp, reply = recv_msg(self.server)
                    if struct.unpack("<IIII", reply[:HDR])[1] == _req:
                        break
                    self.client.sendall(reply)
                self.cut(mode, "tx %d, reply %d not passed on" % (tx, rtyp))
                return False
            if mode in ("commit", "commit-write") and commit:
                # Every earlier request has its reply: the next reply is the commit's.
                _t, _r, _x, rl = struct.unpack("<IIII", recv_exact(self.server, HDR))
                reply = recv_exact(self.server, rl).rstrip(b"\0").decode()
                if mode == "commit-write":
                    write_value(words[1], words[2])
                self.cut(mode, "tx %d, reply %s not passed on" % (tx, reply))
                return False
        return True

    # The commit ends the transaction as an abort; its reply (every earlier request has
    # its own) becomes EAGAIN. ARGS: N [PATH]; N counts down in $CUT_ARM, unless it is
    # "-". False if xenstored did not take the abort: the connection is closed, the arm
    # file kept.
    def conflict(self, msg, args):
        left = args[0]
        _t, req, tx, _ln = struct.unpack("<IIII", msg[:HDR])
        self.server.sendall(struct.pack("<IIII", XS_TRANSACTION_END, req, tx, 2) + b"F\0")
        rtyp, reply = recv_msg(self.server)
        reply = reply[HDR:].rstrip(b"\0").decode()
        if rtyp != XS_TRANSACTION_END or reply != "OK":
            print("commit-conflict: the abort of tx %d failed: %d %s" % (tx, rtyp, reply), flush=True)
            self.close()
            return False
        self.read_in.pop(tx, None)
        err = b"EAGAIN\0"
        self.client.sendall(struct.pack("<IIII", XS_ERROR, req, tx, len(err)) + err)
        print("commit-conflict: tx %d aborted, EAGAIN passed on, %s left" %
              (tx, "-" if left == "-" else int(left) - 1), flush=True)
        if left == "-":
            return True
        if int(left) > 1:
            with open(arm_path, "w") as f:
                f.write(" ".join(["commit-conflict", str(int(left) - 1)] + args[1:]) + "\n")
        else:
            os.unlink(arm_path)
        return True

    # write_and_pass PATH VALUE [COUNT [PATH2 VALUE2]]: the writes, each one's event passed on.
    def write_and_pass(self, args):
        writes = [(args[0], args[1])] * (int(args[2]) if len(args) > 2 else 1)
        writes += [(args[3], args[4])] if len(args) > 4 else []
        events = 0
        for path, value in writes:
            # One at a time: xenstored drops an event identical to one still queued.
            write_value(path, value)
            events += self.pass_event()
        return events

    def watch_late(self, args):
        while True:  # what came before the reply, the reply held back
            typ, msg = recv_msg(self.server)
            if typ == XS_WATCH:
                reply = msg
                break
            self.client.sendall(msg)
        events = self.pass_event()  # the barrier's own firing
        events += self.write_and_pass(args) if args else 0
        self.client.sendall(reply)
        os.unlink(arm_path)
        print("watch-late: %d events passed on before the watch's reply" % events, flush=True)

    def pass_event(self):
        while True:
            typ, msg = recv_msg(self.server)
            self.client.sendall(msg)
            if typ == XS_WATCH_EVENT:
                return 1

    def down(self, data):
        self.client.sendall(data)
        return True

while True:
    for key, _ in sel.select():
        if key.data is None:
            Pair(srv.accept()[0])
            continue
        pair, way = key.data
        try:
            data = key.fileobj.recv(65536)
            if not data or not getattr(pair, way)(data):
                if data:
                    continue
                pair.close()
        except (OSError, EOFError):
            try:
                pair.close()
            except (KeyError, ValueError, OSError):
                pass
PY
	CUT_PID=$!
	wait_for_socket "$CUT_SOCK"
}

# wait_for_socket PATH: bounded; the relay prints "listening" once bound, but a socket
# file is what a client needs.
wait_for_socket() {
	local i=0
	while [ ! -S "$1" ] && [ "$i" -lt $((T * 20)) ]; do sleep 0.05; i=$((i + 1)); done
	[ -S "$1" ] || fail "the relay did not start (see $CUT_LOG)"
}

cut_proxy_stop() {
	[ -z "$CUT_PID" ] || { kill "$CUT_PID" 2>/dev/null || true; wait "$CUT_PID" 2>/dev/null || true; }
	CUT_PID=""
}

# case_wire_lost MODE LOG-LINE SEND...: the daemon, connected through the relay, gets a
# message whose transaction's connection the relay breaks (MODE, see cut_proxy_start). It
# must log LOG-LINE, answer the message once, on a new connection if it has to, and run
# $WIRE_LOST_ACTION once. SEND: the command that arms the relay (cut_arm), sends the
# message and awaits its ack.
case_wire_lost() {
	local mode=$1 want=$2 rc=0
	shift 2
	cut_proxy_start || return 1
	stop_daemon
	XENSTORED_PATH=$CUT_SOCK start_daemon || fail "xtvd did not start through the relay" || rc=1
	if [ "$rc" -eq 0 ]; then
		CUT_MODE=$mode "$@" || rc=1
	fi
	[ "$rc" -eq 1 ] || [ ! -e "$CUT_ARM" ] || fail "the relay did not cut (mode $mode)" || rc=1
	[ "$rc" -eq 1 ] || expect_log "$want" || rc=1
	[ "$rc" -eq 1 ] || expect_alive || rc=1
	[ "$rc" -eq 1 ] || barrier || rc=1
	[ "$rc" -eq 1 ] || expect_actions "$WIRE_LOST_ACTION" || rc=1
	# The next cases talk to a daemon on xenstored's own socket again.
	stop_daemon
	cut_proxy_stop
	start_daemon || fail "xtvd did not restart" || rc=1
	return "$rc"
}

cut_arm() { echo "$CUT_MODE" >"$CUT_ARM"; }
cut_done() { [ ! -e "$CUT_ARM" ]; }

# case_via_relay STEPS...: the daemon connected through the relay (cut_proxy_start) for
# STEPS, which arm it themselves.
case_via_relay() {
	local rc=0
	cut_proxy_start || return 1
	stop_daemon
	XENSTORED_PATH=$CUT_SOCK start_daemon || fail "xtvd did not start through the relay" || rc=1
	if [ "$rc" -eq 0 ]; then
		"$@" || rc=1
	fi
	stop_daemon
	cut_proxy_stop
	start_daemon || fail "xtvd did not restart" || rc=1
	return "$rc"
}

WATCH_LATE_MSG='{"when":"now","ack":"ok","action":"ignore"}'

# watch_late_run ARGS...: arm the relay with `watch-late ARGS`, then hold a request with ack
# none, so that the daemon sets a barrier; returns once the relay has passed the events on.
watch_late_run() {
	set_override none ignore || return 1
	echo "${WATCH_LATE_MODE:-watch-late} $*" >"$CUT_ARM"
	request poweroff
	await "the relay passed the events on" cut_done
}

# The daemon reads its watches' events on a connection of its own, which also carries its
# watch requests: events that come before a request's reply are kept, in order, not taken
# for a broken stream. A request held with ack none makes the daemon set a barrier; the
# relay (watch-late) writes a testing message before the barrier watch's reply reaches
# the daemon, and passes the message's event on first. The message is answered, once,
# with no reconnect.
watch_late_testing() {
	watch_late_run "$HOMEP/control/testing" "$WATCH_LATE_MSG" || return 1
	await "control/testing acked" node_is control/testing "" || return 1
	barrier || return 1
	expect_no_log "event=disconnect" || return 1
	[ "$(log_count "event=message node=control/testing len=${#WATCH_LATE_MSG} ")" -eq 1 ] ||
		fail "the testing message was not answered exactly once" || return 1
	expect_node control/shutdown poweroff || return 1
	expect_actions ""
}

# More events than the daemon keeps while it waits for a watch's reply (256): 300 writes of
# a testing message, then a new request in control/shutdown, whose only event is among those
# dropped. The daemon must say it dropped events and read both nodes again: the request
# is acknowledged and carried out; the testing message is answered.
watch_late_flood() {
	watch_late_run "$HOMEP/control/testing" "$WATCH_LATE_MSG" 300 "$HOMEP/control/shutdown" reboot ||
		return 1
	flood_answered
}
# The same flood, its events on their way before the barrier watch is even sent: the
# daemon keeps 256 and drops the rest and the barrier's own firing, which it must not
# wait for.
watch_early_flood() {
	WATCH_LATE_MODE=watch-late-early watch_late_run "$HOMEP/control/testing" "$WATCH_LATE_MSG" 300 \
		"$HOMEP/control/shutdown" reboot || return 1
	flood_answered
}
# flood_answered: after a flood that overflowed the events kept, both nodes were read
# again: the request carried out, the testing message answered, no reconnect.
flood_answered() {
	await "control/shutdown acked" node_is control/shutdown "" || return 1
	await "control/testing acked" node_is control/testing "" || return 1
	barrier || return 1
	expect_log "event=overflow" || return 1
	expect_no_log "event=disconnect" || return 1
	expect_actions reboot
}
# More conflicts than a transaction's attempts (16): the relay answers 20 commits in a row
# with EAGAIN (commit-conflict), as xenstored does while other writers get in. The event's
# transaction fails; the daemon must say so, handle the event again after a back-off, and
# carry the request out once, with no reconnect.
conflicts_exhausted() {
	echo "commit-conflict 20" >"$CUT_ARM"
	request poweroff
	conflicts_retried
}
# The same for a toolstack's retry of a request left unacknowledged (override none,
# ignore): the node holds "poweroff" and is written "poweroff" again while commits
# conflict. That write is a request: handled again as one (a re-read would take the value
# for the one the daemon left there), it is acknowledged and carried out.
conflicts_exhausted_same_value() {
	hold_poweroff_unacked || return 1
	conflicts_exhausted
}
# hold_poweroff_unacked: control/shutdown holds "poweroff", handled with ack none.
hold_poweroff_unacked() {
	set_override none ignore || return 1
	request poweroff
	barrier || return 1
	expect_node control/shutdown poweroff
}
# A suspend (the recording double's, which resumes at once: start_serving) between a
# failed same-value write and its retry: the re-read after the resume must be handled as
# that write, not skip the value as the one the daemon left there. control/shutdown's
# commits conflict until the resume; control/testing's pass.
conflicts_then_suspend() {
	hold_poweroff_unacked || return 1
	echo "commit-conflict - control/shutdown" >"$CUT_ARM"
	request poweroff
	await_log "event=retry node=control/shutdown kind=write in_ms=100" || return 1
	send_testing '{"when":"now","ack":"ok","action":"suspend"}' || return 1
	await_log "event=resume" || return 1
	rm -f "$CUT_ARM"
	await "control/shutdown acked after the resume" node_is control/shutdown "" || return 1
	barrier || return 1
	expect_no_log 'event=skip node=control/shutdown' || return 1
	expect_actions "suspend poweroff"
}
conflicts_retried() {
	await "control/shutdown acked after the conflicts" node_is control/shutdown "" || return 1
	await "the relay passed every conflict on" cut_done || return 1
	barrier || return 1
	expect_log "event=retry node=control/shutdown kind=write in_ms=100" || return 1
	[ "$(log_count "event=error op=transaction path=control/shutdown errno=11")" -eq 1 ] ||
		fail "the transaction did not fail exactly once" || return 1
	expect_no_log "event=disconnect" || return 1
	expect_actions poweroff
}
wire_lost_testing() { cut_arm && send_testing '{"when":"now","ack":"ok","action":"halt"}'; }
# The override's ack removes control/shutdown: the node shows a landed commit by its absence.
wire_lost_delete() {
	set_override delete reboot || return 1
	cut_arm
	request poweroff
	await "control/shutdown removed" node_absent control/shutdown
}

# A commit that used an override (ok, halt) lands and its reply is lost; before the daemon
# reads back what it wrote, the toolstack writes a new request. The state key the commit
# changed (the override used up) shows it landed, whatever the node holds: the override's
# halt runs once, and the new request is carried out as a plain one (poweroff).
wire_lost_overtaken() {
	set_override ok halt || return 1
	echo "commit-write $HOMEP/control/shutdown poweroff" >"$CUT_ARM"
	request reboot
	await_log "lost=1 landed=yes" || return 1
	await "the new request acked" node_is control/shutdown "" || return 1
	await "both actions recorded" actions_are "halt poweroff"
}
actions_are() { [ "$(rec_new)" = "$1" ]; }

# libxl's "" cancelling a suspend lands while the commit of the daemon's decision (ack ""
# and the override used) is lost: the node reads like the ack, data/xtv/pending does not.
# Decided again on the cancelled request, nothing runs, and the override stays armed.
wire_lost_cancelled() {
	set_override ok halt || return 1
	echo "commit-drop $HOMEP/control/shutdown" >"$CUT_ARM"
	request suspend
	await_log "lost=1 landed=no" || return 1
	barrier || return 1
	expect_node control/shutdown "" && expect_node data/xtv/pending "$(pending_json ok halt)"
}

# The same without an override: the decision's commit writes only the ack "", which the
# node cannot tell from libxl's cancel. The commit mark in data/xtv/commit can: decided
# again on the cancelled request, the suspend does not run.
wire_lost_cancelled_plain() {
	echo "commit-drop $HOMEP/control/shutdown" >"$CUT_ARM"
	request suspend
	await_log "lost=1 landed=no" || return 1
	barrier || return 1
	expect_node control/shutdown ""
}

# xenstored restarted mid-run (empty store): the daemon logs the disconnect, reconnects,
# republishes everything and keeps its pending override.
case_xenstored_restart() {
	set_override ok halt || return 1
	stop_xenstored
	await_log "event=disconnect" || return 1
	start_xenstored || fail "xenstored did not restart" || return 1
	await "data/xtv/ready = 1 in the new store" node_is data/xtv/ready 1 || return 1
	await_log "event=connect result=ok" || return 1
	expect_node control/feature-poweroff 1 &&
		expect_node control/feature-reboot 1 &&
		expect_node control/feature-suspend 1 || return 1
	expect_node data/xtv/pending "$(pending_json ok halt)" || return 1
	xsw control/shutdown ""
	xsw control/testing ""
	barrier || return 1
	request poweroff
	await "control/shutdown acked" node_is control/shutdown "" || return 1
	barrier || return 1
	expect_actions halt
}

# A respawned daemon reloads the pending override persisted under data/xtv/.
case_respawn_keeps_override() {
	set_override "respawn-survivor" crash || return 1
	stop_daemon
	start_daemon || fail "xtvd did not restart" || return 1
	expect_node data/xtv/pending "$(pending_json respawn-survivor crash)" || return 1
	request reboot
	await "control/shutdown = respawn-survivor" node_is control/shutdown respawn-survivor || return 1
	barrier || return 1
	expect_actions crash
}

# A corrupt persisted override is reported and dropped at start; requests are normal.
case_respawn_corrupt_pending() {
	local mark
	stop_daemon
	xsw data/xtv/pending '{"when":"onshutdown","ack":"ok","action":"explode"}'
	mark=$(log_size)
	start_daemon || fail "xtvd did not restart" || return 1
	tail -c +"$((mark + 1))" "$DLOG" | grep -qF "event=error op=load path=data/xtv/pending" ||
		fail "no 'event=error op=load path=data/xtv/pending' at start" || return 1
	await "data/xtv/pending emptied" node_is data/xtv/pending "" || return 1
	request halt
	await "control/shutdown acked" node_is control/shutdown "" || return 1
	barrier || return 1
	expect_actions halt
}

# The daemon starts while xenstored is down: it retries and becomes ready once it is up.
case_daemon_before_xenstored() {
	stop_daemon
	stop_xenstored
	local mark
	mark=$(log_size)
	"$XTVD" --power="record:$REC" --ownership-file="$OWNER" >>"$DLOG" 2>&1 &
	D_PID=$!
	wait_log "event=connect result=error" "$mark" || fail "no failed connect logged while xenstored is down" || return 1
	expect_alive || return 1
	start_xenstored || fail "xenstored did not restart" || return 1
	# (domid may read as unknown if the daemon connects before the harness writes it)
	wait_log "event=ready domid=" "$mark" || fail "timeout (${T}s) waiting for event=ready" || return 1
	await "data/xtv/ready = 1" node_is data/xtv/ready 1 || return 1
	local first
	first=$(tail -c +"$((mark + 1))" "$DLOG" | head -n 1)
	case "$first" in
	"xtvd: event=start domid=unknown "*) ;;
	*) fail "first line '$first', expected event=start domid=unknown (xenstore was down)" || return 1 ;;
	esac
	request reboot
	await "control/shutdown acked" node_is control/shutdown "" || return 1
	barrier || return 1
	expect_actions reboot
}

# ---------------------------------------------------------------------------------------
# The dom0 send tool (install/xtv-send) against the same xenstored and daemon: the real
# xenstore-* clients, domain 0 playing the guest.

# xtv_send ARGS...: run the tool; its exit status in SEND_RC, its output in SEND_OUT.
xtv_send() {
	SEND_RC=0
	SEND_OUT=$("$XTV_SEND" "$@" 2>&1) || SEND_RC=$?
}
expect_send() { # expect_send RC TEXT: the last xtv_send exited RC and printed TEXT
	[ "$SEND_RC" = "$1" ] || fail "xtv-send exited $SEND_RC, expected $1: $SEND_OUT" || return 1
	case "$SEND_OUT" in *"$2"*) ;; *) fail "xtv-send output lacks '$2': $SEND_OUT" ;; esac
}

case_send_accepted() {
	xtv_send -t "$T" 0 --when now --action reboot
	expect_send 0 "ok testing when=now ack=ok action=reboot" || return 1
	expect_node control/testing "" || return 1
	expect_actions reboot
}

case_send_override() {
	xtv_send -t "$T" 0 --when onshutdown --ack delete --action halt
	expect_send 0 "ok testing when=onshutdown ack=delete action=halt" || return 1
	request poweroff
	await "control/shutdown deleted" node_absent control/shutdown || return 1
	barrier || return 1
	expect_actions halt
}

# case_send_escaped ACK ARGS...: xtv-send ARGS (an onshutdown/ignore override whose custom
# ack string ACK holds '"' and '\') must deliver the message byte for byte: plain
# xenstore-write would unescape it ('\"' -> '"', '\\' -> '\') into invalid JSON. Proof: the
# daemon read exactly ${#msg} bytes, accepted the message, keeps it as its pending override,
# and writes exactly ACK into control/shutdown on the next request.
case_send_escaped() {
	local ack=$1 msg
	shift
	msg=$(pending_json "$(json_escape "$ack")" ignore)
	xtv_send -t "$T" 0 "$@"
	expect_send 0 "xtv-send: domain 0 <- $msg" || return 1
	# The verdict is data/xtv/last as the daemon wrote it (not xenstore-read's escaped form).
	expect_send 0 "xtv-send: domain 0: $(xenstore-read -R "$HOMEP/data/xtv/last")" || return 1
	expect_send 0 "ok testing when=onshutdown ack=" || return 1
	expect_log "event=message node=control/testing len=${#msg} " || return 1
	expect_no_log "event=reject" || return 1
	await "data/xtv/pending = the message as sent" node_raw_is data/xtv/pending "$msg" ||
		fail "data/xtv/pending is '$(xenstore-read -R "$HOMEP/data/xtv/pending")', expected '$msg'" || return 1
	request poweroff
	await "control/shutdown = the ack string" node_raw_is control/shutdown "$ack" ||
		fail "control/shutdown is '$(xenstore-read -R "$HOMEP/control/shutdown")', expected '$ack'" || return 1
	barrier || return 1
	expect_actions ""
}
# json_escape S: S with '\' and '"' escaped as in a JSON string.
json_escape() { local s=${1//\\/\\\\}; printf '%s' "${s//\"/\\\"}"; }

case_send_rejected() {
	xtv_send -t "$T" 0 --no-validate '{"when":"now","ack":"ok"}'
	expect_send 1 'rejected testing: missing key "action"' || return 1
	expect_log "event=reject node=control/testing" || return 1
	expect_actions ""
}

# After "--" a message may start with "-": it reaches the daemon, which rejects it.
case_send_after_double_dash() {
	xtv_send -t "$T" --no-validate -- 0 -now:reboot
	expect_send 1 "rejected testing" || return 1
	expect_log "event=reject node=control/testing" || return 1
	expect_node control/testing "" || return 1
	expect_actions ""
}

# An invalid message is refused by the tool itself and never written.
case_send_invalid() {
	local before
	before=$(xsr data/xtv/rejected)
	xtv_send -t "$T" 0 '{"when":"now","ack":"ok","action":"dance"}'
	expect_send 2 'invalid message: unknown action "dance"' || return 1
	expect_node control/testing "" || return 1
	expect_node data/xtv/rejected "$before"
}

case_send_timeout() {
	stop_daemon
	xtv_send -t 2 0 --when now --action ignore
	expect_send 3 "did not acknowledge within 2s" || return 1
	expect_node control/testing '{"when":"now","ack":"ok","action":"ignore"}' || return 1
	# Nothing is lost: the next daemon handles the message left waiting.
	start_daemon || fail "xtvd did not restart" || return 1
	await "the waiting message acked by the new daemon" node_is control/testing ""
}

# case_send_storm N: N messages back to back, each acknowledged and counted once.
case_send_storm() {
	local h i
	h=$(num data/xtv/handled)
	for i in $(seq 1 "$1"); do
		xtv_send -t "$T" 0 --when now --action ignore
		expect_send 0 "ok testing" || fail "message $i: $REASON" || return 1
	done
	expect_node data/xtv/handled "$((h + $1))" || return 1
	[ "$(log_count "event=ack node=control/testing")" = "$1" ] ||
		fail "$(log_count "event=ack node=control/testing") acks logged, expected $1"
}

# A watch client that dies before its deadline is reported and registered again (a
# PATH-prepended xenstore-watch fails once, then execs the real one).
case_send_watch_ends_early() {
	local dir=$WORK/flaky-watch real
	real=$(command -v xenstore-watch)
	mkdir -p "$dir"
	rm -f "$dir/failed-once"
	cat >"$dir/xenstore-watch" <<EOF
#!/bin/sh
[ -e "$dir/failed-once" ] || { : >"$dir/failed-once"; echo "xenstore-watch: simulated loss of xenstored" >&2; exit 1; }
exec "$real" "\$@"
EOF
	chmod +x "$dir/xenstore-watch"
	SEND_RC=0
	SEND_OUT=$(PATH=$dir:$PATH "$XTV_SEND" -t "$T" 0 --when now --action ignore 2>&1) || SEND_RC=$?
	expect_send 0 "ok testing when=now ack=ok action=ignore" || return 1
	expect_send 0 "xtv-send: xenstore-watch: simulated loss of xenstored" || return 1
	expect_send 0 "ended early; watching again"
}

# ---------------------------------------------------------------------------------------
# Main

all_cases() {
	run_case startup case_startup
	local a
	for a in poweroff reboot halt crash; do run_case "shutdown-$a" case_shutdown "$a"; done
	run_case shutdown-suspend case_shutdown_suspend
	run_case shutdown-repeat-after-ack case_shutdown_repeat
	run_case shutdown-unknown-word case_shutdown_unknown bogus
	run_case shutdown-unknown-case case_shutdown_unknown Poweroff
	run_case shutdown-unknown-space case_shutdown_unknown ' poweroff'
	run_case shutdown-unknown-newline case_shutdown_unknown 'poweroff\n'
	for a in poweroff reboot halt suspend crash ignore; do run_case "testing-now-$a" case_testing_now "$a"; done
	run_case testing-now-keeps-pending case_testing_now_keeps_pending
	run_case ack-sent-with-read case_ack_sent_with_read
	run_case override-ok-same case_override ok poweroff poweroff
	run_case override-ok-other case_override ok reboot poweroff
	run_case override-ok-ignore case_override ok ignore halt
	run_case override-none-halt case_override none halt reboot
	run_case override-delete-crash case_override delete crash poweroff
	run_case override-delete-ignore case_override delete ignore reboot
	run_case override-string-suspend case_override custom-ack-1 suspend halt
	run_case override-string-poweroff case_override 'Custom ack #2' poweroff reboot
	run_case shutdown-unknown-s3 case_shutdown_unknown s3
	run_case held-none-ignore case_held none poweroff
	run_case held-string-ignore case_held still-here halt
	run_case retry-after-hold-none case_retry_after_hold none poweroff
	run_case retry-after-hold-string case_retry_after_hold still-here reboot
	run_case coalesced-twin-events case_coalesced
	run_case cancelled-before-read case_cancelled_before_read
	run_case start-reads-testing-first case_start_reads_testing_first
	run_case first-message-before-ready case_first_message_before_ready
	run_case resume-republishes case_resume_republishes
	run_case kernel-owns-shutdown case_kernel_owns_shutdown
	run_case rewrite-rules case_rewrite_rules
	run_case xenopsd-remove-write-retry case_xenopsd_retry
	run_case limits-accepted case_limits_accepted
	run_case override-string-escaped case_override_escaped
	run_case legacy-now-reboot case_legacy_now reboot
	run_case legacy-now-ignore case_legacy_now ignore
	run_case legacy-next-halt case_legacy_next halt
	run_case bad-setup-override case_bad_setup
	run_case -p bad-malformed-json case_bad raw '{"when":"now",' 'invalid JSON'
	run_case -p bad-trailing-bytes case_bad raw '{"when":"now","ack":"ok","action":"ignore"}x' 'invalid JSON'
	run_case -p bad-not-object case_bad raw '["now","ok","ignore"]' 'not a JSON object'
	run_case -p bad-wrong-type case_bad raw '{"when":"now","ack":"ok","action":1}' 'key "action" is not a string'
	run_case -p bad-unknown-when case_bad raw '{"when":"later","ack":"ok","action":"reboot"}' 'unknown when "later"'
	run_case -p bad-unknown-action case_bad raw '{"when":"now","ack":"ok","action":"explode"}' 'unknown action "explode"'
	run_case -p bad-missing-key case_bad raw '{"when":"now","ack":"ok"}' 'missing key "action"'
	run_case -p bad-unknown-key case_bad raw '{"when":"now","ack":"ok","action":"reboot","x":"y"}' 'unknown key "x"'
	run_case -p bad-duplicate-key case_bad raw '{"when":"now","ack":"ok","ack":"none","action":"reboot"}' 'duplicate key "ack"'
	run_case -p bad-empty-object case_bad raw '{}' 'missing key'
	run_case -p bad-empty-value case_bad raw '{"when":"","ack":"ok","action":"reboot"}' 'empty value for "when"'
	local big
	printf -v big '{"when":"now","ack":"ok","action":"reboot"%1000s}' ''
	run_case -p bad-oversized case_bad raw "$big" "message too long (${#big} bytes, max 1024)"
	run_case -p bad-non-utf8 case_bad esc '\xff\xfenow:reboot' 'invalid UTF-8 at offset 0'
	run_case -p bad-nul-byte case_bad esc 'now:\x00reboot' 'NUL byte at offset 4'
	run_case -p bad-control-char case_bad esc 'now:reboot\t' 'control character 0x09 at offset 10'
	run_case -p bad-whitespace-only case_bad raw ' ' 'unknown legacy form'
	run_case -p bad-legacy-case case_bad raw 'Now:reboot' 'unknown legacy form'
	run_case -p bad-legacy-action case_bad raw 'now:explode' 'unknown action "explode"'
	run_case -p bad-ack-is-request case_bad raw '{"when":"onshutdown","ack":"poweroff","action":"ignore"}' 'ack string "poweroff" would read as a shutdown request'
	local long
	long=$(printf 'a%.0s' $(seq 129))
	run_case -p bad-ack-too-long case_bad raw "{\"when\":\"onshutdown\",\"ack\":\"$long\",\"action\":\"ignore\"}" 'ack string too long (129 bytes, max 128)'
	run_case -p bad-ack-non-ascii case_bad raw '{"when":"onshutdown","ack":"caf\u00e9","action":"ignore"}' 'ack string must be printable ASCII'
	run_case -p bad-ack-space case_bad raw '{"when":"onshutdown","ack":" padded","action":"ignore"}' 'ack string must not start or end with a space'
	run_case -p bad-legacy-next-empty case_bad raw 'next:' 'unknown action'
	run_case -p bad-json-number case_bad raw '42' 'not a JSON object'
	run_case -p bad-empty-value-ignored case_bad_empty
	run_case -p bad-override-still-applies case_bad_override_applies
	run_case write-failure-logged case_write_failure
	run_case respawn-keeps-override case_respawn_keeps_override
	run_case respawn-corrupt-pending case_respawn_corrupt_pending
	run_case daemon-before-xenstored case_daemon_before_xenstored
	run_case xenstored-restart case_xenstored_restart
	WIRE_LOST_ACTION=halt
	run_case event-before-watch-reply case_via_relay watch_late_testing
	run_case event-flood-before-watch-reply case_via_relay watch_late_flood
	run_case event-flood-before-barrier-firing case_via_relay watch_early_flood
	run_case conflicts-exhausted-retried case_via_relay conflicts_exhausted
	run_case conflicts-exhausted-same-value case_via_relay conflicts_exhausted_same_value
	run_case conflicts-exhausted-then-suspend case_via_relay conflicts_then_suspend
	run_case wire-lost-at-read case_wire_lost read \
		"event=error op=transaction path=control/testing errno=5 lost=1" wire_lost_testing
	run_case wire-lost-at-put case_wire_lost put \
		"event=error op=transaction path=control/testing errno=5 lost=1" wire_lost_testing
	run_case wire-lost-commit-landed case_wire_lost commit \
		"event=error op=commit path=control/testing errno=5 lost=1 landed=yes" wire_lost_testing
	run_case wire-lost-commit-dropped case_wire_lost commit-drop \
		"event=error op=commit path=control/testing errno=5 lost=1 landed=no" wire_lost_testing
	WIRE_LOST_ACTION=reboot
	run_case wire-lost-commit-landed-delete case_wire_lost commit \
		"event=error op=commit path=control/shutdown errno=5 lost=1 landed=yes" wire_lost_delete
	WIRE_LOST_ACTION="halt poweroff"
	run_case wire-lost-commit-overtaken case_wire_lost commit-write \
		"event=error op=commit path=control/shutdown errno=5 lost=1 landed=yes" wire_lost_overtaken
	WIRE_LOST_ACTION=""
	run_case wire-lost-commit-cancelled case_wire_lost commit-drop \
		"event=error op=commit path=control/shutdown errno=5 lost=1 landed=no" wire_lost_cancelled
	run_case wire-lost-commit-cancelled-plain case_wire_lost commit-drop \
		"event=error op=commit path=control/shutdown errno=5 lost=1 landed=no" \
		wire_lost_cancelled_plain
	run_case send-accepted case_send_accepted
	run_case send-override case_send_override
	local esc='say "hi" \o/ \\x41 \n'
	run_case send-escaped-message case_send_escaped "$esc" "$(pending_json "$(json_escape "$esc")" ignore)"
	run_case send-escaped-ack-option case_send_escaped "$esc" --when onshutdown --ack "$esc" --action ignore
	run_case send-rejected case_send_rejected
	run_case send-invalid case_send_invalid
	run_case send-after-double-dash case_send_after_double_dash
	run_case send-timeout case_send_timeout
	run_case send-storm-50 case_send_storm 50
	run_case send-watch-ends-early case_send_watch_ends_early
}

if [ "$LIST" -eq 1 ]; then
	all_cases
	exit 0
fi

echo "# xenstored: $XENSTORED, xtvd: $XTVD, logs: $LOGDIR"
start_xenstored || exit 2
start_daemon || { sed 's/^/# /' "$DLOG"; exit 2; }
all_cases
echo "1..$N"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
