# shellcheck shell=sh
# The `bench` set (make bench, tests/bench/report.sh, docs/benchmarks.md): measurements,
# not tests. Every scenario passes once it has measured; the host side compares the figures
# with the targets. All figures of one `make bench` come from one lab session.
# Sourced by scenarios.sh; uses lib.sh. Extra files in /lab/extra (mk/bench.mk):
#   xsbench        tests/bench/xsbench.c (dom0 timing with xenstore watches, CLOCK_MONOTONIC)
#   stock-vmlinux  Debian's stock kernel (the dom0 kernel, uncompressed)
#   ours-vmlinux   our kernel's ELF, uncompressed
# The debug initrd is run-lab.sh's (XTV_DEBUG_RAMDISK, lib.sh).
# Results: RESULTS/scenarios/NAME/*.tsv and *.txt, read by tests/bench/report.sh.
# shellcheck disable=SC2317,SC2329 # functions are called through the table

SCENARIOS="$SCENARIOS
bench-boot        bench           b_boots                         | first answer and boot to ready: ours vs. Debian's stock kernel, same initrd, same memory
bench-timeline    bench           b_timeline                      | where the first answer's time goes: xl -vvv stamped, xenstore events, guest printk times
bench-ping        bench           b_ping                          | reaction latency: testing message vs. in-kernel sysrq ack, ours and stock
bench-mem         bench           b_mem                           | guest memory after boot (the guest's own /proc/meminfo)
bench-floor       bench           b_floor                         | smallest memory= in which the VM boots to ready and answers
bench-scale       bench           b_scale                         | N test VMs started at once at the boot floor, each answers one message
"

: "${BENCH_EXTRA:=/lab/extra}" "${BENCH_BOOTS:=5}" "${BENCH_CMP_MEM:=128}"
: "${BENCH_PINGS:=400}" "${BENCH_GAP_MS:=20}" "${BENCH_SCALE_N:=64}" "${BENCH_SCALE_TIMEOUT:=1200}"
: "${BENCH_SCALE_JOBS:=8}" "${BENCH_TIMELINE_BOOTS:=3}"
# A size at which the guest is built but never becomes ready costs the whole wait: 60 s is
# ten times a boot to ready at the floor on the loaded lab (docs/benchmarks.md).
: "${BENCH_FLOOR_TIMEOUT:=60}"
: "${BENCH_FLOOR_SIZES:=8 9 10 11 12 16 20 24}" "${BENCH_PVH_MEM:=${XTV_MEM_PVH:-$XTV_MEM}}"
BENCH_STOCK=$BENCH_EXTRA/stock-vmlinux
XSBENCH=$BENCH_EXTRA/xsbench
BENCH_MSG='{"when":"now","ack":"ok","action":"ignore"}'

# bench_cfg FILE NAME KERNEL RAMDISK EXTRA MEM [TYPE]: an xl config (TYPE pv, the default,
# or pvh), domain destroyed on shutdown.
bench_cfg() {
	cat >"$1" <<EOF
name = "$2"
type = "${7:-pv}"
kernel = "$3"
ramdisk = "$4"
extra = "$5"
memory = $6
vcpus = 1
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
EOF
}

# field KEY FILE: the value of KEY=VALUE in xsbench's result line.
field() {
	awk -v k="$1=" '{ for (i = 1; i <= NF; i++) if (index($i, k) == 1) v = substr($i, length(k) + 1) }
	END { print v }' "$2"
}

# bench_kernel LABEL: "KERNEL|COMMAND LINE|TYPE" for ours (PV), ours-pvh (the same image as
# a PVH guest), stock and stock-pvh (Debian's kernel, PV and PVH) and two candidates for a
# faster first answer:
# ours-quiet (the kernel's boot messages off the console) and ours-elf (the kernel
# uncompressed, so that libxenguest has nothing to unpack).
bench_kernel() {
	case "$1" in
	ours) echo "$XTV_KERNEL|$XTV_EXTRA|pv" ;;
	ours-quiet) echo "$XTV_KERNEL|$XTV_EXTRA quiet|pv" ;;
	ours-elf) echo "$BENCH_EXTRA/ours-vmlinux|$XTV_EXTRA|pv" ;;
	ours-pvh) echo "$XTV_KERNEL|$XTV_EXTRA|pvh" ;;
	stock) echo "$BENCH_STOCK|console=hvc0|pv" ;;
	stock-pvh) echo "$BENCH_STOCK|console=hvc0|pvh" ;;
	esac
}

name_gone() { ! xl domid "$1" >/dev/null 2>&1; }

# boot_once LABEL MEM I [traced]: one timed boot: xl create -> the guest's ack of a first
# testing message written as soon as the domain exists (xsbench first; ready = 1 timed on
# the way), then the time of a control/shutdown=poweroff ack; appends a row to boots.tsv.
# traced (bench-timeline): also NAME.xl, xl -vvv's log stamped by xsbench stamp, NAME.trace,
# every xenstore event, and printk.time=1 on the guest's command line.
boot_once() {
	k=$(bench_kernel "$1")
	BENCH_SEQ=$((${BENCH_SEQ:-0} + 1))
	# Traced boots get names of their own: xenconsoled appends to guest-NAME.log.
	name=xb${4:+t}-$BENCH_SEQ-$1-$2
	out=$SC_DIR/$name.out
	rest=${k#*|}
	cmdline=${rest%|*}
	[ "${4:-}" != traced ] || cmdline="$cmdline printk.time=1"
	bench_cfg "$SC_DIR/$name.cfg" "$name" "${k%%|*}" "$XTV_RAMDISK" "$cmdline" "$2" "${k##*|}"
	rc=0
	if [ "${4:-}" = traced ]; then
		# Returns once its watches are registered; the tracer goes on in the background.
		# Without it the boot is still timed; only its timeline row lacks the events.
		"$XSBENCH" trace "$BOOT_TIMEOUT" /local/domain @introduceDomain >"$SC_DIR/$name.trace" 2>&1 ||
			note "boot $1 ${2}MiB #$3: xsbench trace did not start: $(tail -n 1 "$SC_DIR/$name.trace")"
		tracer=$(sed -n 's/^pid=//p' "$SC_DIR/$name.trace")
		"$XSBENCH" first "$name" "$BOOT_TIMEOUT" "$BENCH_MSG" sh -c \
			"xl -vvv create '$SC_DIR/$name.cfg' 2>&1 | '$XSBENCH' stamp >'$SC_DIR/$name.xl'" \
			>"$out" 2>&1 || rc=$?
	else
		"$XSBENCH" first "$name" "$BOOT_TIMEOUT" "$BENCH_MSG" xl create "$SC_DIR/$name.cfg" \
			>"$out" 2>&1 || rc=$?
	fi
	d=$(field domid "$out")
	ack=-1
	if [ "$rc" = 0 ]; then
		"$XSBENCH" ping "/local/domain/$d/control/shutdown" 1 0 30000 poweroff \
			>"$SC_DIR/$name.poweroff" 2>&1 || true
		ack=$(field max_us "$SC_DIR/$name.poweroff")
	fi
	# The poweroff ends the domain (on_poweroff = destroy); wait for that, bounded, then
	# make sure (a destroy racing xl's own teardown has crashed xl).
	await @releaseDomain 60 name_gone "$name" || true
	if ! name_gone "$name"; then (timeout 30 xl destroy "$name") >/dev/null 2>&1 || true; fi
	cp "/var/log/xen/console/guest-$name.log" "$SC_DIR/$name.console" 2>/dev/null || true
	[ -z "${tracer:-}" ] || kill "$tracer" 2>/dev/null || true
	tracer=
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${d:--1}" "$(field intro_ms "$out")" \
		"$(field ready_ms "$out")" "$(field first_ms "$out")" "${ack:--1}" >>"$SC_DIR/boots.tsv"
	note "boot $1 ${2}MiB #$3: $(grep '^domid=' "$out" || echo no result) poweroff-ack ${ack}us"
	return 0
}

boots_all_answered() { ! awk -F'\t' 'NR > 1 && ($6 == "" || $6 < 0 || $7 == "" || $7 < 0)' "$SC_DIR/boots.tsv" | grep -q .; }

# b_boots: BENCH_BOOTS rounds, alternating so that every kind sees the same load: ours and
# stock as PV and as PVH at BENCH_CMP_MEM (the stock kernel does not boot at the floor); at
# XTV_MEM ours, ours-quiet and ours-elf as PV; ours at BENCH_PVH_MEM as PVH.
b_boots() {
	printf 'kernel\tmem_mib\tround\tdomid\tintro_ms\tready_ms\tfirst_ms\tpoweroff_ack_us\n' >"$SC_DIR/boots.tsv"
	note "load before: $(cat /proc/loadavg)"
	i=1
	while [ "$i" -le "$BENCH_BOOTS" ]; do
		boot_once ours "$BENCH_CMP_MEM" "$i"
		boot_once stock "$BENCH_CMP_MEM" "$i"
		boot_once ours "$XTV_MEM" "$i"
		boot_once ours-quiet "$XTV_MEM" "$i"
		boot_once ours-elf "$XTV_MEM" "$i"
		boot_once ours-pvh "$BENCH_CMP_MEM" "$i"
		boot_once stock-pvh "$BENCH_CMP_MEM" "$i"
		boot_once ours-pvh "$BENCH_PVH_MEM" "$i"
		i=$((i + 1))
	done
	note "load after: $(cat /proc/loadavg)"
	check "every boot reached ready and answered its first message" boots_all_answered
	pass
}

# b_timeline: BENCH_TIMELINE_BOOTS rounds of ours and stock at BENCH_CMP_MEM, traced (see
# boot_once): tests/bench/timeline.sh splits each first answer into the toolstack's part
# before the unpause, xl's work after it, the guest kernel to /init and the user space.
# Apart from bench-boot, whose figures stay free of the tracing's own work.
b_timeline() {
	printf 'kernel\tmem_mib\tround\tdomid\tintro_ms\tready_ms\tfirst_ms\tpoweroff_ack_us\n' >"$SC_DIR/boots.tsv"
	i=1
	while [ "$i" -le "$BENCH_TIMELINE_BOOTS" ]; do
		boot_once ours "$BENCH_CMP_MEM" "$i" traced
		boot_once stock "$BENCH_CMP_MEM" "$i" traced
		i=$((i + 1))
	done
	check "every boot reached ready and answered its first message" boots_all_answered
	pass
}

# ping_block LABEL NODE COUNT VALUE: COUNT timed messages to NODE of DOMID.
ping_block() {
	"$XSBENCH" ping "$(xs_path "$2")" "$3" "$BENCH_GAP_MS" 10000 "$4" >"$SC_DIR/$1.txt" 2>&1
	note "$1: $(tail -n 1 "$SC_DIR/$1.txt")"
}

# ping_pair SUFFIX COUNT: COUNT sysrq and COUNT testing messages to DOMID, interleaved
# (xsbench pair: A B B A ...), so that the ratio does not depend on which block met a slow
# moment of the host; split into sysrq-SUFFIX.txt and testing-SUFFIX.txt in ping's format.
ping_pair() {
	out=$SC_DIR/pair-$1.out
	rc=0
	"$XSBENCH" pair "$2" "$BENCH_GAP_MS" 10000 sysrq "$(xs_path control/sysrq)" x \
		testing "$(xs_path control/testing)" "$BENCH_MSG" >"$out" 2>&1 || rc=$?
	for k in sysrq testing; do
		sed -n "s/^$k \([0-9]*\|lost\)\$/sample \1/p; s/^$k: //p" "$out" |
			sed 's/^sample lost$/lost/' >"$SC_DIR/$k-$1.txt"
		note "$k-$1: $(tail -n 1 "$SC_DIR/$k-$1.txt")"
	done
	return "$rc"
}

# b_ping: on our VM, sysrq (in-kernel ack) and testing messages (the daemon's ack)
# interleaved; then sysrq on the stock kernel (same initrd); then our VM as PVH.
b_ping() {
	vm_up
	xenstore-write "$(xs_path control/testing)" ""
	xenstore-chmod "$(xs_path control/testing)" "n$DOMID"
	h0=$(xs_read data/xtv/handled)
	half=$((BENCH_PINGS / 2))
	need "sysrq and testing acks 1" ping_pair ours-1 "$half"
	need "sysrq and testing acks 2" ping_pair ours-2 "$half"
	h1=$(xs_read data/xtv/handled)
	note "handled $h0 -> $h1"
	check "daemon counted every message ($h0 + $((2 * half)) = $h1)" [ $((h0 + 2 * half)) = "$h1" ]
	check "still ready" xs_is data/xtv/ready 1
	(timeout 30 xl destroy "$DOMID") >/dev/null 2>&1 || true
	# The stock kernel with the same initrd, same watches.
	DOM=xb-ping-stock
	vm_config "$BENCH_CMP_MEM"
	sed -i "s|^kernel = .*|kernel = \"$BENCH_STOCK\"|; s|^extra = .*|extra = \"console=hvc0\"|" \
		"$SC_DIR/domain.cfg"
	need "xl create $DOM (stock kernel)" xl_monitor xl create -F "$SC_DIR/domain.cfg"
	need "stock guest ready" vm_ready
	need "sysrq ack stock 1" ping_block sysrq-stock-1 control/sysrq "$half" x
	need "sysrq ack stock 2" ping_block sysrq-stock-2 control/sysrq "$half" x
	(timeout 30 xl destroy "$DOMID") >/dev/null 2>&1 || true
	# Our image as a PVH guest, the same blocks: the ratio for the other guest type (in a
	# PVH guest the daemon's system calls do not go through Xen; its event delivery and
	# xenstore ring interrupts go through the emulated SVM instead).
	# shellcheck disable=SC2034 # read by lib.sh's vm_config
	DOM=xb-ping-pvh XTV_TYPE=pvh
	vm_up "$BENCH_PVH_MEM"
	xenstore-write "$(xs_path control/testing)" ""
	xenstore-chmod "$(xs_path control/testing)" "n$DOMID"
	need "sysrq and testing acks pvh 1" ping_pair pvh-1 "$half"
	need "sysrq and testing acks pvh 2" ping_pair pvh-2 "$half"
	pass
}

# b_mem: boot the debug initrd at XTV_MEM (at least DEBUG_MEM, which it needs) and ask the
# guest's shell for /proc/meminfo.
b_mem() {
	XTV_RAMDISK=$XTV_DEBUG_RAMDISK
	XTV_EXTRA="$XTV_EXTRA debug"
	vm_up "$(debug_mem)"
	debug_mem >"$SC_DIR/mem-mib.txt"
	# Typed again until the shell has read it (shell_runs, scenarios.sh, which also fails
	# without the console's tty); Shmem is the last of the lines asked for.
	check "guest printed its meminfo" shell_runs \
		'busybox grep -E "^(MemTotal|MemFree|MemAvailable|Cached|Shmem):" /proc/meminfo' '^Shmem:'
	grep -E '^(MemTotal|MemFree|MemAvailable|Cached|Shmem):|Memory: ' "$(console_log)" |
		tr -d '\r' >"$SC_DIR/meminfo.txt"
	xl list "$DOMID" >"$SC_DIR/xl-list.txt" 2>&1 || true
	xenstore-read "$(xs_path memory/target)" >"$SC_DIR/memory-target.txt" 2>&1 || true
	note "meminfo: $(tr '\n' ' ' <"$SC_DIR/meminfo.txt")"
	pass
}

# floor_try TYPE MEM: boot once as TYPE (pv or pvh) with MEM MiB; a size counts when the
# daemon became ready and answered a message. Appends a row to floor.tsv.
floor_try() {
	name=xf-$1-$2
	bench_cfg "$SC_DIR/$name.cfg" "$name" "$XTV_KERNEL" "$XTV_RAMDISK" "$XTV_EXTRA" "$2" "$1"
	"$XSBENCH" boot "$name" "$READY_NODE" "$BENCH_FLOOR_TIMEOUT" xl create "$SC_DIR/$name.cfg" \
		>"$SC_DIR/$name.out" 2>&1 || true
	d=$(field domid "$SC_DIR/$name.out")
	ans=0
	if [ "$(field ready_ms "$SC_DIR/$name.out")" != "-1.0" ] && [ "${d:--1}" -ge 0 ] 2>/dev/null; then
		xtv-send -t 60 "$d" --when now --action ignore >"$SC_DIR/$name.send" 2>&1 && ans=1
	fi
	cp "/var/log/xen/console/guest-$name.log" "$SC_DIR/$name.console" 2>/dev/null || true
	if ! name_gone "$name"; then (timeout 30 xl destroy "$name") >/dev/null 2>&1 || true; fi
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$(field ready_ms "$SC_DIR/$name.out")" "$ans" >>"$SC_DIR/floor.tsv"
	note "floor: $1 ${2} MiB: $(grep '^domid=' "$SC_DIR/$name.out" || echo no result), answered $ans"
	if [ "$ans" = 1 ] && [ ! -s "$SC_DIR/boot-floor-$1" ]; then echo "$2" >"$SC_DIR/boot-floor-$1"; fi
}

floor_answers() { awk -F'\t' -v t="$1" '$1 == t && $4 == 1' "$SC_DIR/floor.tsv" | grep -c . || true; }

# b_floor: BENCH_FLOOR_SIZES MiB (ascending), as PV and as PVH in turn, so that both modes
# see the same load, until a mode has answered at two sizes. The smallest size that answers
# is the mode's boot floor (the full matrix at that size is check-lab's job: make check-lab
# LAB_MEM=N); boot-floor is PV's, the size of bench-scale's VMs.
b_floor() {
	printf 'type\tmem_mib\tready_ms\tanswered\n' >"$SC_DIR/floor.tsv"
	for m in $BENCH_FLOOR_SIZES; do
		# A mode that has answered at two sizes is done: larger ones only cost time.
		for t in pv pvh; do
			[ "$(floor_answers "$t")" -ge 2 ] || floor_try "$t" "$m"
		done
	done
	if [ -s "$SC_DIR/boot-floor-pv" ]; then cp "$SC_DIR/boot-floor-pv" "$SC_DIR/boot-floor"; fi
	check "the VM boots and answers as PV at some size" [ -s "$SC_DIR/boot-floor-pv" ]
	check "the VM boots and answers as PVH at some size" [ -s "$SC_DIR/boot-floor-pvh" ]
	pass
}

# b_scale: BENCH_SCALE_N VMs created at once at the boot floor found by bench-floor (else
# XTV_MEM); each answers one message.
b_scale() {
	scale_mem=$(cat "$SC_DIR/../bench-floor/boot-floor" 2>/dev/null || echo "$XTV_MEM")
	echo "$scale_mem" >"$SC_DIR/mem"
	xl info >"$SC_DIR/xl-info.txt" 2>&1 || true
	note "xen free memory before: $(awk '/^free_memory/ { print $3 }' "$SC_DIR/xl-info.txt") MiB"
	# At most BENCH_SCALE_JOBS `xl create` at a time (0: all N at once), through a pipe of
	# tokens: each creation takes one and gives it back when its xl create returns (the
	# domain built and unpaused); the guests then boot while the next ones are created.
	# Unbounded, 64 xl create in one emulated dom0 CPU never all finished: every new domain
	# adds a child to /local/domain, so the concurrent creations' xenstore transactions
	# conflicted and were retried, dom0 ran flat out (1,430 s of CPU in 1,640 s) and
	# xenconsoled fell so far behind that libxl's wait for a console tty timed out.
	jobs=$BENCH_SCALE_JOBS
	[ "$jobs" -gt 0 ] 2>/dev/null || jobs=$BENCH_SCALE_N
	echo "$jobs" >"$SC_DIR/jobs"
	rm -f "$SC_DIR/tokens"
	mkfifo "$SC_DIR/tokens"
	exec 3<>"$SC_DIR/tokens"
	i=1
	while [ "$i" -le "$jobs" ]; do echo t >&3; i=$((i + 1)); done
	t0=$("$XSBENCH" now)
	pids=""
	i=1
	while [ "$i" -le "$BENCH_SCALE_N" ]; do
		name=xs-$i
		vm_config_file="$SC_DIR/$name.cfg"
		bench_cfg "$vm_config_file" "$name" "$XTV_KERNEL" "$XTV_RAMDISK" "$XTV_EXTRA" "$scale_mem"
		# shellcheck disable=SC2016 # expanded by the inner sh
		(
			read -r _ <&3
			"$XSBENCH" boot "$name" "$READY_NODE" "$BENCH_SCALE_TIMEOUT" \
				sh -c 'xl create "$1"; rc=$?; echo t >&3; exit $rc' xl-create "$vm_config_file"
		) >"$SC_DIR/$name.out" 2>&1 &
		pids="$pids $!"
		i=$((i + 1))
	done
	booted=0
	for p in $pids; do wait "$p" && booted=$((booted + 1)); done
	t1=$("$XSBENCH" now)
	# What limits N: Xen's free memory and dom0's (one xl monitor process per domain).
	xl info >"$SC_DIR/xl-info-after.txt" 2>&1 || true
	free -m >"$SC_DIR/dom0-free.txt" 2>&1 || true
	note "all booted: xen free memory $(awk '/^free_memory/ { print $3 }' "$SC_DIR/xl-info-after.txt") MiB, dom0 $(awk '/^Mem:/ { print $7 }' "$SC_DIR/dom0-free.txt") MiB available"
	# One message to every VM that became ready, all written at once by one process (what
	# xtv-send does under xl, for each): 64 xtv-send in parallel took 527 s, nearly all of
	# it dom0 starting their xenstore-* processes in the emulated PV dom0, not the guests.
	doms=""
	i=1
	while [ "$i" -le "$BENCH_SCALE_N" ]; do
		d=$(field domid "$SC_DIR/xs-$i.out")
		if [ "${d:--1}" -ge 0 ] 2>/dev/null; then doms="$doms $d"; fi
		i=$((i + 1))
	done
	# shellcheck disable=SC2086 # one argument per domid
	"$XSBENCH" answers "$BENCH_SCALE_TIMEOUT" "$BENCH_MSG" $doms >"$SC_DIR/answers.txt" 2>&1 || true
	answered=$(sed -n 's/^n=.* answered=\([0-9]*\) .*/\1/p' "$SC_DIR/answers.txt")
	answered=${answered:-0}
	t2=$("$XSBENCH" now)
	xl list >"$SC_DIR/xl-list.txt" 2>&1 || true
	exec 3>&-
	printf 'n\tready\tanswered\tboot_all_ms\tmessages_ms\tjobs\n%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$BENCH_SCALE_N" "$booted" "$answered" $((t1 - t0)) $((t2 - t1)) "$jobs" >"$SC_DIR/scale.tsv"
	cat "$SC_DIR"/xs-*.out >"$SC_DIR/boots.txt"
	note "scale: $BENCH_SCALE_N VMs at $scale_mem MiB, $booted ready after $((t1 - t0)) ms, $answered answered after $((t2 - t1)) ms more"
	pass
}
