#!/bin/bash
# Host test of the guest's PID 1: run the real init binary as PID 1 of a new PID and mount
# namespace, chrooted into a scratch root whose /sbin/xtvd is a scripted stand-in, and check
# from its console output that it mounts, spawns, reaps orphans, reports how the daemon died
# and respawns it with a doubling back-off.
#
# usage: tests/init/run.sh INIT BUSYBOX
set -eu

usage() { echo "usage: $0 INIT BUSYBOX" >&2; exit 2; }
[ $# -eq 2 ] || usage
init=$1 busybox=$2

root=$(mktemp -d)
log=$root.log
trap 'rm -rf "$root" "$log"' EXIT
mkdir -p "$root/sbin" "$root/bin" "$root/dev" "$root/state"
cp "$init" "$root/init"
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"

# The stand-in daemon: 1st run leaves an orphan behind and exits 3, 2nd run kills itself with
# SIGKILL, 3rd run proves the mounts and then exits 0, 4th run powers off: reboot(2) in a
# child PID namespace ends its init, which ends the test without any signal from outside.
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
   exit 0 ;;
*) exec /bin/busybox poweroff -f ;;
esac
STUB
chmod +x "$root/sbin/xtvd"

passed=0 failed=0
check() {
	if grep -qE "$2" "$log"; then
		passed=$((passed + 1)); echo "ok $((passed + failed)) - $1"
	else
		failed=$((failed + 1)); echo "not ok $((passed + failed)) - $1"
	fi
}

# A hung init fails the test through the timeout.
timeout -k 1 30 unshare --kill-child=KILL --pid --mount --propagation private \
	chroot "$root" /init >"$log" 2>&1 || true

echo "TAP version 13"
echo "1..8"
check "init announces itself" '^init: event=start$'
check "daemon spawned" '^init: event=spawn name=xtvd pid=2$'
check "exit status reported" '^init: event=exit name=xtvd pid=2 status=exit:3 '
check "first respawn after 250 ms" '^init: event=respawn name=xtvd delay_ms=250$'
check "death by signal reported" '^init: event=exit name=xtvd pid=[0-9]+ status=signal:9 '
check "back-off doubles" '^init: event=respawn name=xtvd delay_ms=500$'
check "proc, sys and devtmpfs mounted" '^stub: mounts=ok$'
check "daemon respawned after each death" '^stub: run=4$'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
