#!/bin/bash
# Host test of the guest's PID 1: run the real init binary as PID 1 of a new PID and mount
# namespace, chrooted into a scratch root whose /sbin/xtvd is a scripted stand-in, and check
# from its console output that it mounts, spawns, reaps orphans, reports how the daemon died
# and respawns it with a doubling back-off; and that a daemon that cannot be executed at all
# (missing, no x bit, not a program) is reported as such on every attempt, retried on the
# back-off, and started once it is fixed.
#
# usage: tests/init/run.sh INIT BUSYBOX
set -eu

usage() { echo "usage: $0 INIT BUSYBOX" >&2; exit 2; }
[ "${1:-}" = -h ] && usage
[ $# -eq 2 ] || usage
init=$1 busybox=$2

T=30 # bound of each init run and of each wait, seconds
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok $((passed + failed)) - $1"; }
fail() { failed=$((failed + 1)); echo "not ok $((passed + failed)) - $1${2:+ # $2}"; }
# check LOG NAME ERE: LOG has a line matching ERE.
check() { if grep -qE -- "$3" "$1"; then pass "$2"; else fail "$2"; fi; }

# make_root DIR: a scratch root holding the init and BusyBox; /sbin/xtvd is up to the case.
make_root() {
	mkdir -p "$1/sbin" "$1/bin" "$1/dev" "$1/state"
	cp "$init" "$1/init"
	cp "$busybox" "$1/bin/busybox"
	ln -s busybox "$1/bin/sh"
}

# start_init ROOT LOG: the init as PID 1 of new PID and mount namespaces, chrooted into ROOT,
# console to LOG, in the background (INIT_PID). A hung init is ended by the timeout.
start_init() {
	timeout -k 1 "$T" unshare --kill-child=KILL --pid --mount --propagation private \
		chroot "$1" /init >"$2" 2>&1 &
	INIT_PID=$!
}

# wait_init: the init's end, as timeout(1) reports it (124/137: it had to be killed).
wait_init() { INIT_RC=0; wait "$INIT_PID" 2>/dev/null || INIT_RC=$?; }

# wait_lines LOG ERE N: true once LOG has N lines matching ERE; false after $T seconds.
wait_lines() {
	local fd tpid line count=0 rc=1
	exec {fd}< <(exec timeout "$T" tail -n +1 -F "$1" 2>/dev/null)
	tpid=$!
	while IFS= read -r -u "$fd" line; do
		[[ $line =~ $2 ]] || continue
		count=$((count + 1))
		[ "$count" -lt "$3" ] || { rc=0; break; }
	done
	kill "$tpid" 2>/dev/null || true
	exec {fd}<&-
	return "$rc"
}

# The stand-in daemon that works: says so, then powers off: reboot(2) in a child PID
# namespace ends its init, which ends the run without any signal from outside.
write_poweroff_stub() {
	printf '#!/bin/sh\necho "stub: started"\nexec /bin/busybox poweroff -f\n' >"$1"
}

# ---------------------------------------------------------------------------------------
# A daemon that runs: spawn, reap, status, back-off, respawn.

case_lifecycle() {
	local root=$work/lifecycle log=$work/lifecycle.log failed_before=$failed
	make_root "$root"
	# 1st run leaves an orphan behind and exits 3, 2nd run kills itself with SIGKILL, 3rd
	# run proves the mounts and exits 127 (what a shell returns for "not found": from a
	# program that ran, it is an ordinary exit, not an exec failure), 4th run powers off.
	cat >"$root/sbin/xtvd" <<'STUB'
#!/bin/sh
n=$(cat /state/runs 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" >/state/runs
echo "stub: run=$n"
case $n in
1) /bin/busybox sh -c 'exit 0' & exit 3 ;;
2) kill -9 $$ ;;
3) [ -c /dev/null ] && [ -r /proc/cmdline ] && [ -d /sys/kernel ] && echo "stub: mounts=ok"
   exit 127 ;;
*) exec /bin/busybox poweroff -f ;;
esac
STUB
	chmod +x "$root/sbin/xtvd"
	start_init "$root" "$log"
	wait_init
	check "$log" "init announces itself" '^init: event=start$'
	check "$log" "daemon spawned" '^init: event=spawn name=xtvd pid=2$'
	check "$log" "exit status reported" '^init: event=exit name=xtvd pid=2 status=exit:3 '
	check "$log" "first respawn after 250 ms" '^init: event=respawn name=xtvd delay_ms=250$'
	check "$log" "death by signal reported" '^init: event=exit name=xtvd pid=[0-9]+ status=signal:9 '
	check "$log" "back-off doubles" '^init: event=respawn name=xtvd delay_ms=500$'
	check "$log" "proc, sys and devtmpfs mounted" '^stub: mounts=ok$'
	# The host's threads-max is far above the floor: init reads it and leaves it (the raise
	# itself is shown in the lab's boot scenario, where the guest starts with 26).
	if grep -qE '^init: event=threads-max was=([0-9]+) now=\1$' "$log" &&
		[ "$(sed -n 's/^init: event=threads-max was=[0-9]* now=\([0-9]*\)$/\1/p' "$log")" -ge 64 ]; then
		pass "kernel.threads-max read and logged, at least 64, not lowered"
	else
		fail "kernel.threads-max read and logged, at least 64, not lowered" "$(grep 'threads-max' "$log")"
	fi
	check "$log" "exit 127 of a running daemon is an exit" '^init: event=exit name=xtvd pid=[0-9]+ status=exit:127 '
	if grep -q 'op=exec' "$log"; then fail "exit 127 is not taken for an exec failure"; else pass "exit 127 is not taken for an exec failure"; fi
	check "$log" "daemon respawned after each death" '^stub: run=4$'
	[ "$failed" -eq "$failed_before" ] || sed 's/^/#   /' "$log"
}

# ---------------------------------------------------------------------------------------
# A daemon that cannot be executed.

# case_exec_failure NAME ERRNO HINT-START BREAK FIX: BREAK ROOT makes /sbin/xtvd
# unexecutable; after three attempts, FIX ROOT repairs it while init keeps retrying.
case_exec_failure() {
	local name=$1 err=$2 hint=$3 break=$4 fix=$5
	local root=$work/$name log=$work/$name.log lines bad i failed_before=$failed
	local line_re="^init: event=error op=exec name=xtvd path=/sbin/xtvd errno=$err retry_ms=[0-9]+ hint=\"${hint}[^\"]*\"$"
	make_root "$root"
	"$break" "$root"
	start_init "$root" "$log"
	if ! wait_lines "$log" "$line_re" 3; then
		kill "$INIT_PID" 2>/dev/null || true
		wait_init
		fail "$name: three exec failures reported" "no 3 lines like '$line_re' in ${T}s"
		sed 's/^/#   /' "$log"
		return 0
	fi
	"$fix" "$root"
	wait_init
	# Every attempt before the fix is one exec error line, no spawn/exit/respawn lines.
	lines=$(sed -n '/^init: event=start$/,/^init: event=spawn /p' "$log" | grep '^init: ' |
		grep -v -e '^init: event=start$' -e '^init: event=spawn ' -e '^init: event=threads-max ' || true)
	bad=0
	while IFS= read -r i; do
		[[ $i =~ $line_re ]] || { bad=1; break; }
	done <<<"$lines"
	if [ "$bad" -eq 0 ] && [ "$(grep -c . <<<"$lines")" -ge 3 ]; then
		pass "$name: each attempt logged as an exec error (errno=$err, hint \"$hint...\"), nothing else"
	else
		fail "$name: each attempt logged as an exec error (errno=$err, hint \"$hint...\"), nothing else" \
			"init's lines before the spawn: $(tr '\n' '|' <<<"$lines")"
	fi
	if [ "$(grep -oE 'retry_ms=[0-9]+' <<<"$lines" | head -n 3 | tr '\n' ' ')" = "retry_ms=250 retry_ms=500 retry_ms=1000 " ]; then
		pass "$name: retried on the back-off (250, 500, 1000 ms)"
	else
		fail "$name: retried on the back-off (250, 500, 1000 ms)" "$(grep -oE 'retry_ms=[0-9]+' <<<"$lines" | tr '\n' ' ')"
	fi
	check "$log" "$name: the repaired daemon is started by the next retry" '^stub: started$'
	if [ "$INIT_RC" -ne 124 ] && [ "$INIT_RC" -ne 137 ]; then
		pass "$name: init ended by the daemon's poweroff, not the timeout"
	else
		fail "$name: init ended by the daemon's poweroff, not the timeout" "timeout status $INIT_RC"
	fi
	[ "$failed" -eq "$failed_before" ] || sed 's/^/#   /' "$log"
}

no_daemon() { :; }
put_daemon() { write_poweroff_stub "$1/sbin/.xtvd.new"; chmod +x "$1/sbin/.xtvd.new"; mv -f "$1/sbin/.xtvd.new" "$1/sbin/xtvd"; }
daemon_mode_644() { write_poweroff_stub "$1/sbin/xtvd"; chmod 644 "$1/sbin/xtvd"; }
chmod_daemon() { chmod +x "$1/sbin/xtvd"; }
daemon_not_a_program() { printf 'not a program\n' >"$1/sbin/xtvd"; chmod +x "$1/sbin/xtvd"; }

# case_power_helper NAME STATUS: the init run as /sbin/NAME the way the kernel runs a
# usermode helper (orderly_poweroff(), orderly_reboot()): no descriptors at all. It must
# say on the console (here a plain file at /dev/console) that it ran, and call reboot(2):
# as PID 1 of a PID namespace that ends the namespace, and its parent sees the init killed
# by SIGINT for a power off or SIGHUP for a reboot (reboot_pid_ns()), so timeout(1) exits
# with STATUS.
case_power_helper() {
	local name=$1 want=$2 root=$work/power-$1 rc=0
	make_root "$root"
	ln -s /init "$root/sbin/$name"
	: >"$root/dev/console"
	timeout -k 1 "$T" unshare --kill-child=KILL --pid --mount --propagation private \
		chroot "$root" "/sbin/$name" <&- >&- 2>&- || rc=$?
	check "$root/dev/console" "$name helper: says on the console that it ran" \
		"^init: event=power command=$name pid=1\$"
	if [ "$rc" -eq "$want" ]; then
		pass "$name helper: reboot(2) carried it out (exit status $rc)"
	else
		fail "$name helper: reboot(2) carried it out" "exit status $rc, expected $want"
		sed 's/^/#   /' "$root/dev/console"
	fi
}

echo "TAP version 13"
case_lifecycle
case_exec_failure daemon-missing 2 "no such file" no_daemon put_daemon
case_exec_failure daemon-not-executable 13 "not executable" daemon_mode_644 chmod_daemon
case_exec_failure daemon-not-a-program 8 "not a program" daemon_not_a_program put_daemon
case_power_helper poweroff 130
case_power_helper reboot 129
echo "1..$((passed + failed))"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
