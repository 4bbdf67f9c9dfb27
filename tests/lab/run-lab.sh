#!/bin/sh
# Host side of the lab: boot Xen + a Debian dom0 in QEMU (TCG), run one scenario set in dom0
# against the test VM, and turn what dom0 wrote to the raw results disk into
# RESULTS/{results.tap,junit.xml,summary.tsv,serial.log,scenarios/NAME/...}.
# The whole run is bounded; a hung Xen or dom0 fails it. Exit status: 0 every scenario
# passed (or was skipped), 1 a scenario did not pass, a result is missing or the lab broke.
set -eu

usage() {
	cat >&2 <<'EOF'
usage: tests/lab/run-lab.sh [-s SET] [-t TYPE] [-o RESULTS] [-m MEM] [-k KERNEL] [-i INITRD]
                            [-I DEBUG_INITRD] [-e EXTRA] [-r READY_NODE] [-T SECONDS] [-n NAMES] [--expect-broken|--expect-hung]
  -s SET      scenario set: fast (default), full, stub, demo, floor, or one that a
              tests/lab/set-*.sh adds (bench, hung, probe, reliability, soak, repeat,
              stress)
  -t TYPE     guest type the scenarios create, pv (default) or pvh; TAP and JUnit name
              every test case TYPE/NAME (pv/boot, pvh/boot)
  -o RESULTS  results folder (default results/lab)
  -m MEM      domU memory in MiB for every guest type (default per type, the measured
              floors: MEM_PV for pv, MEM_PVH for pvh; docs/lab.md "Memory")
  -k/-i       domU kernel / initrd (default out/image/vmlinuz, out/image/initrd.img)
  -I FILE     the debug initrd, for the scenarios that boot it (default
              out/image/initrd-debug.img; they fail if it does not exist)
  -e EXTRA    domU command line (default "console=hvc0 xen.userspace_shutdown=1")
  -r NODE     node that says the guest is ready (default data/xtv/ready)
  -T SECONDS  bound for the whole QEMU run (default 2400)
  -n NAMES    run only these scenarios (space separated)
  -j LANES    scenarios run side by side in LANES lanes (default 1)
  -R 0|1      run a scenario that ended in `error` (its domain was not created or never
              came up) once more; both attempts are kept and reported (default 1)
  -V VAR=VAL  set a runner variable (BOOT_TIMEOUT, ACK_TIMEOUT, SHUTDOWN_TIMEOUT, SETTLE)
  --expect-broken  succeed only if the lab ran completely and the matrix failed
                   (boot must fail): proves a broken daemon is caught
  --expect-hung    with -s hung: succeed only if the runner ended the run by itself after
                   xenstored stopped, said so, and reported the rest as not run
  --payload-only  build dom0's initramfs for these options, print its path and stop
                   (tests/lab/lab-shell.sh boots it with a shell)
env: LAB_CACHE (cache/lab), LAB_OUT (out/lab), QEMU_CPU and QEMU_ACCEL (the emulated CPU
     and how TCG runs it, see qemu.sh)
EOF
	exit 2
}

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
LAB_CACHE=${LAB_CACHE:-$TOP/cache/lab}
export LAB_CACHE # read by qemu.sh
LAB_OUT=${LAB_OUT:-$TOP/out/lab}
SET=fast TYPE=pv RESULTS=results/lab MEM="" ONLY="" EXPECT_BROKEN=0 EXPECT_HUNG=0 VARS="" LANES=1 RETRY=1
PAYLOAD_ONLY=0
# The default domU memory per guest type: the floors the whole fast matrix passed at
# (docs/lab.md "Memory"; install/xl/*.cfg and install/xenserver-install.sh use the same).
MEM_PV=9 MEM_PVH=10
KERNEL=$TOP/out/image/vmlinuz INITRD=$TOP/out/image/initrd.img
DEBUG_INITRD=$TOP/out/image/initrd-debug.img
EXTRA="console=hvc0 xen.userspace_shutdown=1" READY=data/xtv/ready QEMU_TIMEOUT=2400

while [ $# -gt 0 ]; do
	# Every option but these takes a value: without one, the usage, not set -u's error.
	case "$1" in -h | --help | --expect-* | --payload-only) ;; *) [ $# -ge 2 ] || usage ;; esac
	case "$1" in
	-h | --help) usage ;;
	-s) SET=$2; shift 2 ;;
	-t) case "$2" in pv | pvh) TYPE=$2 ;; *) usage ;; esac; shift 2 ;;
	-o) RESULTS=$2; shift 2 ;;
	-m) MEM=$2; shift 2 ;;
	-k) KERNEL=$2; shift 2 ;;
	-i) INITRD=$2; shift 2 ;;
	-I) DEBUG_INITRD=$2; shift 2 ;;
	-e) EXTRA=$2; shift 2 ;;
	-r) READY=$2; shift 2 ;;
	-T) QEMU_TIMEOUT=$2; shift 2 ;;
	-n) ONLY=$2; shift 2 ;;
	-j) LANES=$2; shift 2 ;;
	-R) case "$2" in 0 | 1) RETRY=$2 ;; *) usage ;; esac; shift 2 ;;
	-V) case "$2" in [A-Z_]*=*) VARS="$VARS$2
" ;; *) usage ;; esac; shift 2 ;;
	--expect-broken) EXPECT_BROKEN=1; shift ;;
	--expect-hung) EXPECT_HUNG=1; shift ;;
	--payload-only) PAYLOAD_ONLY=1; shift ;;
	*) usage ;;
	esac
done

# One work folder per results folder (results/lab/pv and results/lab-full/pv must not share).
case "$MEM" in
'') ;;
*[!0-9]*) usage ;;
*) MEM_PV=$MEM MEM_PVH=$MEM ;;
esac
case "$TYPE" in pv) MEM=$MEM_PV ;; pvh) MEM=$MEM_PVH ;; esac

WORK=$LAB_OUT/run-$(printf '%s' "$RESULTS" | tr -c 'A-Za-z0-9._-' '_')
DISK=$WORK/results.img

# build_payload: the second initramfs archive: /init, the runner, the test VM, xtv-send.
build_payload() {
	root=$WORK/payload
	rm -rf "$root"
	mkdir -p "$root/lab/domu" "$root/usr/bin"
	cp "$HERE/dom0-init.sh" "$root/init"
	cp "$HERE/runner.sh" "$HERE/lib.sh" "$HERE/scenarios.sh" "$root/lab/"
	cp "$TOP/install/xtv-send" "$root/usr/bin/xtv-send"
	# dom0-side tools built by mk/lab.mk (tests/lab/tools/), e.g. xs-kick.
	for tool in "$LAB_OUT"/tools/*; do
		if [ -f "$tool" ]; then cp "$tool" "$root/usr/bin/"; fi
	done
	# Extra scenario sets (set-*.sh, sourced by scenarios.sh) and files they use (LAB_EXTRA,
	# a directory, copied to /lab/extra), e.g. the bench and reliability sets (mk/bench.mk).
	for set_file in "$HERE"/set-*.sh; do
		if [ -f "$set_file" ]; then cp "$set_file" "$root/lab/"; fi
	done
	if [ -n "${LAB_EXTRA:-}" ]; then cp -R "$LAB_EXTRA" "$root/lab/extra"; fi
	cp "$KERNEL" "$root/lab/domu/kernel"
	cp "$INITRD" "$root/lab/domu/initrd"
	if [ -f "$DEBUG_INITRD" ]; then cp "$DEBUG_INITRD" "$root/lab/domu/initrd-debug"; fi
	cat >"$root/lab/config" <<EOF
LAB_SET='$SET'
LAB_ONLY='$ONLY'
LAB_LANES='$LANES'
LAB_RETRY='$RETRY'
XTV_MEM='$MEM'
XTV_MEM_PV='$MEM_PV'
XTV_MEM_PVH='$MEM_PVH'
XTV_TYPE='$TYPE'
XTV_EXTRA='$EXTRA'
READY_NODE='$READY'
EOF
	printf '%s' "$VARS" | sed "s/=\(.*\)/='\1'/" >>"$root/lab/config"
	chmod 755 "$root/init" "$root/usr/bin/xtv-send" "$root/lab/runner.sh"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$WORK/payload.cpio"
	cat "$LAB_OUT/dom0-base.cpio" "$WORK/payload.cpio" >"$WORK/dom0.cpio"
	rm -rf "$root"
}

# run_qemu: Xen + dom0 under TCG with a bound; serial console kept in full, runner lines
# echoed as progress. Returns QEMU's status (124 = timed out).
run_qemu() {
	rm -f "$DISK"
	truncate -s 64M "$DISK"
	{
		timeout --foreground -k 10 "$QEMU_TIMEOUT" "$HERE/qemu.sh" "$WORK/dom0.cpio" "$DISK" \
			</dev/null || echo "qemu-exit $?"
	} | sed -u 's/\r*$//' | tee "$WORK/serial.log" | grep --line-buffered -E '^(lab|lab-dom0|demo):|^qemu-exit|Panic|FATAL' || true
	exit_line=$(sed -n 's/^qemu-exit //p' "$WORK/serial.log" | tail -n 1)
	return "${exit_line:-0}"
}

xml_escape() { sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g' | tr -d '\000-\010\013\014\016-\037'; }

# complete_summary: add an `error` row for every planned scenario without a result.
complete_summary() {
	r=$RESULTS/results
	touch "$r/summary.tsv"
	[ -s "$r/plan" ] || sed -n 's/^lab: plan: //p' "$WORK/serial.log" | tr ' ' '\n' | grep . >"$r/plan" || true
	if [ ! -s "$r/plan" ]; then
		printf 'lab\terror\t0\tno scenario ran: %s\tXen, dom0 and the runner come up\n' "$1" >>"$r/summary.tsv"
		return
	fi
	while read -r name; do
		cut -f1 "$r/summary.tsv" | grep -qx "$name" && continue
		serial_verdict "$name" >>"$r/summary.tsv" ||
			printf '%s\terror\t0\tmissing result: %s\t\n' "$name" "$1" >>"$r/summary.tsv"
	done <"$r/plan"
}

# serial_verdict NAME: a summary row from the runner's progress line on the serial console,
# for a scenario that finished before the run broke off (its files are lost, its verdict
# is not).
serial_verdict() {
	sed -n "s/^lab: \[[0-9]*\/[0-9]*\] $1: \([a-z]*\) (\([0-9]*\)s)\(.*\)\$/\1	\2	\3/p" \
		"$WORK/serial.log" | tail -n 1 |
		awk -F'\t' -v n="$1" 'NF == 3 { sub(/^ - /, "", $3)
			printf "%s\t%s\t%s\t%s%s(verdict from the serial log; files lost)\t\n", n, $1, $2, $3, ($3 == "" ? "" : "; ")
			f = 1 } END { exit !f }'
}

write_tap() {
	n=$(grep -c . "$1" || true)
	echo "TAP version 13"
	echo "1..$n"
	i=0
	while IFS=$(printf '\t') read -r name v secs msg purpose; do
		i=$((i + 1))
		case "$v" in
		pass) echo "ok $i - $TYPE/$name: pass (${secs}s) # $purpose${msg:+ [$msg]}" ;;
		skip) echo "ok $i - $TYPE/$name: skip # SKIP $msg" ;;
		*) echo "not ok $i - $TYPE/$name: $v (${secs}s) - $msg" ;;
		esac
	done <"$1"
}

write_junit() {
	total=$(grep -c . "$1" || true)
	fails=$(awk -F'\t' '$2 == "fail"' "$1" | grep -c . || true)
	errors=$(awk -F'\t' '$2 != "fail" && $2 != "pass" && $2 != "skip"' "$1" | grep -c . || true)
	skips=$(awk -F'\t' '$2 == "skip"' "$1" | grep -c . || true)
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo "<testsuites><testsuite name=\"xen-test-vm lab ($SET, $TYPE)\" tests=\"$total\" failures=\"$fails\" errors=\"$errors\" skipped=\"$skips\">"
	while IFS=$(printf '\t') read -r name v secs msg purpose; do
		m=$(printf '%s' "$msg" | xml_escape)
		printf '<testcase classname="lab.%s.%s" name="%s/%s" time="%s">' "$SET" "$TYPE" "$TYPE" "$name" "$secs"
		case "$v" in
		pass) ;;
		fail) printf '<failure type="fail" message="%s"/>' "$m" ;;
		skip) printf '<skipped message="%s"/>' "$m" ;;
		*) printf '<error type="%s" message="%s"/>' "$v" "$m" ;;
		esac
		printf '<system-out>%s\n' "$(printf '%s' "$purpose" | xml_escape)"
		[ -f "$RESULTS/scenarios/$name/checks.log" ] && xml_escape <"$RESULTS/scenarios/$name/checks.log"
		printf '</system-out></testcase>\n'
	done <"$1"
	echo '</testsuite></testsuites>'
}

# dom0_crashes: every sign of a dom0 process that died of a fault or of glibc's heap checks
# (the symptom of an unsuitable emulated CPU, docs/lab.md) into RESULTS/dom0-crashes.txt:
# dom0's kernel log and the output of every tool the scenarios ran. Returns the count.
dom0_crashes() {
	{
		grep -E 'segfault at|traps:|general protection' "$RESULTS/dom0-dmesg.log" 2>/dev/null || true
		grep -rEs --exclude=console.log --exclude=checks.log \
			'malloc\(\)|corrupted|double free|Segmentation fault|core dumped|Aborted' \
			"$RESULTS/scenarios" || true
	} >"$RESULTS/dom0-crashes.txt"
	grep -c . "$RESULTS/dom0-crashes.txt" || true
}

# collect QEMU_RC: unpack the results disk and write the reports; returns the verdict.
collect() {
	rm -rf "$RESULTS"
	mkdir -p "$RESULTS"
	cp "$WORK/serial.log" "$RESULTS/serial.log"
	why=""
	# An all-zero disk (dom0 never wrote) is an empty but valid tar: check the folder too.
	if ! tar -xf "$DISK" -C "$RESULTS" 2>/dev/null || [ ! -d "$RESULTS/results" ]; then
		mkdir -p "$RESULTS/results"
		why="no results on the disk"
	fi
	[ "$1" = 124 ] && why="QEMU run exceeded ${QEMU_TIMEOUT}s${why:+; $why}"
	[ -n "$why" ] || why="dom0 runner stopped early"
	complete_summary "$why"
	mv "$RESULTS/results/"* "$RESULTS/" && rmdir "$RESULTS/results" || return 1
	write_tap "$RESULTS/summary.tsv" >"$RESULTS/results.tap"
	write_junit "$RESULTS/summary.tsv" >"$RESULTS/junit.xml"
	total=$(grep -c . "$RESULTS/summary.tsv" || true)
	bad=$(awk -F'\t' '$2 != "pass" && $2 != "skip"' "$RESULTS/summary.tsv" | grep -c . || true)
	echo "lab: $TYPE: $total scenarios, $bad not passed; results in $RESULTS (results.tap, junit.xml, scenarios/*/console.log)"
	crashes=$(dom0_crashes)
	[ "$crashes" = 0 ] || echo "lab: $crashes signs of dom0 processes dying (memory corruption?): $RESULTS/dom0-crashes.txt"
	[ "$1" = 0 ] || { echo "lab: QEMU did not end cleanly (status $1): the run fails" >&2; return 1; }
	[ "$total" -gt 0 ] && [ "$bad" -eq 0 ]
}

# broken_verdict: the matrix must have run completely and failed, boot included.
broken_verdict() {
	s=$RESULTS/summary.tsv
	if grep -q 'missing result\|no scenario ran' "$s"; then
		echo "lab-broken: the lab itself did not run completely" >&2; return 1
	fi
	if ! awk -F'\t' '$1 == "boot" && $2 == "fail"' "$s" | grep -q .; then
		echo "lab-broken: boot did not fail with a broken daemon" >&2; return 1
	fi
	if awk -F'\t' '$2 == "pass"' "$s" | grep -q .; then
		echo "lab-broken: some scenarios passed with a daemon that never answers:" >&2
		awk -F'\t' '$2 == "pass" { print "  " $1 }' "$s" >&2
		return 1
	fi
	echo "lab-broken: as expected, every scenario failed against the broken daemon"
}

# hung_verdict QEMU_RC: the run of the hung set ended by itself (QEMU not stopped by its
# bound), the scenario that stopped xenstored says so, and the one after it was not run.
hung_verdict() {
	s=$RESULTS/summary.tsv
	[ "$1" = 0 ] || { echo "lab-hung: the run did not end by itself (QEMU status $1)" >&2; return 1; }
	if ! awk -F'\t' '$1 == "hung-xenstored" && $2 != "pass" && $4 ~ /xenstored stopped answering/' "$s" | grep -q .; then
		echo "lab-hung: hung-xenstored does not report the stopped xenstored" >&2; return 1
	fi
	if ! awk -F'\t' '$1 == "hung-after" && $2 == "error" && $4 ~ /^not run: .*during hung-xenstored/' "$s" | grep -q .; then
		echo "lab-hung: hung-after was not reported as not run" >&2; return 1
	fi
	if ! grep -q 'ok - xl shutdown ends within its bound' "$RESULTS/scenarios/hung-xenstored/checks.log"; then
		echo "lab-hung: xl shutdown outlived its bound" >&2; return 1
	fi
	echo "lab-hung: as expected, the runner ended the run after xenstored stopped answering"
}

main() {
	for f in "$LAB_CACHE/xen" "$LAB_CACHE/dom0/vmlinux" "$LAB_OUT/dom0-base.cpio" "$KERNEL" "$INITRD"; do
		[ -f "$f" ] || { echo "run-lab: missing $f (make lab-deps image)" >&2; exit 1; }
	done
	mkdir -p "$WORK"
	build_payload
	[ "$PAYLOAD_ONLY" = 0 ] || { echo "$WORK/dom0.cpio"; exit 0; }
	start=$(date +%s)
	echo "lab: booting Xen + dom0 in QEMU (set $SET, guests $TYPE, $("$HERE/qemu.sh" --machine), bound ${QEMU_TIMEOUT}s)"
	q_rc=0
	run_qemu || q_rc=$?
	echo "lab: QEMU finished after $(($(date +%s) - start))s (status $q_rc)"
	rc=0
	collect "$q_rc" || rc=1
	if [ "$EXPECT_HUNG" = 1 ]; then
		[ "$rc" = 1 ] || { echo "lab-hung: the run passed with a stopped xenstored" >&2; exit 1; }
		hung_verdict "$q_rc"
		exit
	fi
	if [ "$EXPECT_BROKEN" = 1 ]; then
		[ "$rc" = 1 ] || { echo "lab-broken: the matrix passed against a broken daemon" >&2; exit 1; }
		broken_verdict
		exit 0
	fi
	exit "$rc"
}

main
