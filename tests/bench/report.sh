#!/bin/sh
# Turn one `bench` lab session (results/bench), the build benchmark (results/bench-build)
# and the image files into docs/benchmarks.md: one table, every target marked met / not met.
#
# usage: tests/bench/report.sh [-o FILE] [-r RESULTS] [-O OUT] [-b BUILD_RESULTS]
#                              [-f "RESULTS ..."]   (check-lab runs: mode and memory from each
#                                                   one's serial.log, for the memory floor)
#                              [-d DATA_DIR]   (copy the small raw tables there, for git)
set -eu

DOC=docs/benchmarks.md R=results/bench O=out B=results/bench-build FLOOR="" DATA=""
while getopts o:r:O:b:f:d:h opt; do
	case "$opt" in
	o) DOC=$OPTARG ;;
	r) R=$OPTARG ;;
	O) O=$OPTARG ;;
	b) B=$OPTARG ;;
	f) FLOOR=$OPTARG ;;
	d) DATA=$OPTARG ;;
	*) echo "usage: $0 [-o FILE] [-r RESULTS] [-O OUT] [-b BUILD] [-f 'RESULTS ...'] [-d DATA_DIR]" >&2; exit 2 ;;
	esac
done
S=$R/scenarios
[ -f "$S/bench-boot/boots.tsv" ] || { echo "report.sh: no $S/bench-boot/boots.tsv (make bench-lab)" >&2; exit 1; }

# stats: "n p50 p90 p99 max" (nearest rank) of the numbers on stdin.
stats() {
	sort -n | awk '{ v[++n] = $1 }
	function p(q,   r) { r = int((q * n + 99) / 100); if (r < 1) r = 1; return v[r] }
	END { if (n) printf "%d %s %s %s %s\n", n, p(50), p(90), p(99), v[n]; else print "0 - - - -" }'
}
# samples FILE...: the microsecond samples of xsbench ping outputs.
samples() { cat "$@" 2>/dev/null | awk '$1 == "sample" { print $2 }'; }
lost() { cat "$@" 2>/dev/null | grep -c '^lost' || true; }
median() { stats | awk '{ print $2 }'; }
ms() { awk -v u="$1" 'BEGIN { if (u == "-") print "-"; else printf "%.1f", u / 1000 }'; }
# col KERNEL MEM COLUMN: that column of boots.tsv for one kind of boot (valid rows only).
col() { awk -F'\t' -v k="$1" -v m="$2" -v c="$3" 'NR > 1 && $1 == k && $2 == m && $c >= 0 { print $c }' "$S/bench-boot/boots.tsv"; }
verdict() { if awk "BEGIN { exit !($1) }" 2>/dev/null; then echo "**met**"; else echo "**not met**"; fi; }
size() { if [ -f "$1" ]; then wc -c <"$1" | tr -d ' '; else echo 0; fi; }
mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }
kib() { awk -v b="$1" 'BEGIN { printf "%.0f KiB", b / 1024 }'; }

mem=$(sed -n 's/.*memory=\([0-9]*\)MiB.*/\1/p' "$R/serial.log" | head -n 1)
cmp_mem=$(awk -F'\t' 'NR > 1 && $1 == "stock" { print $2; exit }' "$S/bench-boot/boots.tsv")

# First answer (xl create -> the ack of a first message written when the domain appears).
f_ours=$(col ours "$cmp_mem" 7 | median)
f_stock=$(col stock "$cmp_mem" 7 | median)
f_floor=$(col ours "$mem" 7 | median)
nf_ours=$(col ours "$cmp_mem" 7 | grep -c . || true)
nf_stock=$(col stock "$cmp_mem" 7 | grep -c . || true)
f_ratio=$(awk -v a="$f_ours" -v b="$f_stock" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')
# The same image as a PVH guest, at BENCH_CMP_MEM and at its own memory (BENCH_PVH_MEM).
pvh_mem=$(awk -F'\t' -v c="$cmp_mem" 'NR > 1 && $1 == "ours-pvh" && $2 != c { print $2; exit }' "$S/bench-boot/boots.tsv")
pvh_mem=${pvh_mem:-$cmp_mem}
f_pvh=$(col ours-pvh "$cmp_mem" 7 | median)
f_pvh_floor=$(col ours-pvh "$pvh_mem" 7 | median)
r_pvh=$(col ours-pvh "$cmp_mem" 6 | median)
r_pvh_floor=$(col ours-pvh "$pvh_mem" 6 | median)
nf_pvh=$(col ours-pvh "$cmp_mem" 7 | grep -c . || true)
# Debian's kernel as a PVH guest, the same initrd: the PVH side of the first-answer ratio.
f_stock_pvh=$(col stock-pvh "$cmp_mem" 7 | median)
nf_stock_pvh=$(col stock-pvh "$cmp_mem" 7 | grep -c . || true)
f_ratio_pvh=$(awk -v a="$f_pvh" -v b="$f_stock_pvh" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')
intro_pvh=$(col ours-pvh "$cmp_mem" 5 | median)
intro_stock_pvh=$(col stock-pvh "$cmp_mem" 5 | median)
# The candidates for a faster first answer, at the floor, against ours there.
f_quiet=$(col ours-quiet "$mem" 7 | median)
f_elf=$(col ours-elf "$mem" 7 | median)
r_quiet=$(col ours-quiet "$mem" 6 | median)
r_elf=$(col ours-elf "$mem" 6 | median)
i_floor=$(col ours "$mem" 5 | median)
i_elf=$(col ours-elf "$mem" 5 | median)
intro_ours=$(col ours "$cmp_mem" 5 | median)
intro_stock=$(col stock "$cmp_mem" 5 | median)
# guest_share KERNEL MEM: median of first answer minus the toolstack's part (xl create until
# the domain is introduced to xenstored): what the guest kernel and our user space take.
guest_share() {
	awk -F'\t' -v k="$1" -v m="$2" 'NR > 1 && $1 == k && $2 == m && $5 >= 0 && $7 >= 0 { print $7 - $5 }' \
		"$S/bench-boot/boots.tsv" | median
}
g_ours=$(guest_share ours "$cmp_mem")
g_stock=$(guest_share stock "$cmp_mem")
g_ratio=$(awk -v a="$g_ours" -v b="$g_stock" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')

# Where the first answer goes (bench-timeline): one line per traced boot, then medians per
# kernel of unpause, xl's work after it, the guest kernel to /init, unpause to the answer.
timeline=$("$(dirname "$0")/timeline.sh" "$S/bench-timeline" 2>/dev/null || true)
# tl KERNEL A [B]: median over KERNEL's traced boots of column A (minus column B) of
# timeline.sh's table (7 unpause, 8 xl-end, 9 init, 10 ack).
tl() {
	echo "$timeline" | awk -v k="$1" -v a="$2" -v b="${3:-0}" \
		'NR > 1 && $1 ~ ("^xbt?-[0-9]+-" k "-") && $10 > 0 { print $a - (b ? $b : 0) }' | median
}
tl_n=$(echo "$timeline" | awk 'NR > 1 && $1 ~ /^xbt?-[0-9]+-ours-/' | grep -c . || true)
tl_ns=$(echo "$timeline" | awk 'NR > 1 && $1 ~ /^xbt?-[0-9]+-stock-/' | grep -c . || true)
tl_unpause_ours=$(tl ours 7)
tl_unpause_stock=$(tl stock 7)
tl_xl_ours=$(tl ours 8 7)
tl_xl_stock=$(tl stock 8 7)
tl_init_ours=$(tl ours 9)
tl_init_stock=$(tl stock 9)
tl_guest_ours=$(tl ours 10 7)
tl_guest_stock=$(tl stock 10 7)
tl_ratio=$(awk -v a="$tl_guest_ours" -v b="$tl_guest_stock" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')

# Boot to ready.
ours=$(col ours "$cmp_mem" 6 | median)
stock=$(col stock "$cmp_mem" 6 | median)
ours_floor=$(col ours "$mem" 6 | median)
n_ours=$(col ours "$cmp_mem" 6 | grep -c . || true)
n_stock=$(col stock "$cmp_mem" 6 | grep -c . || true)
ratio=$(awk -v a="$ours" -v b="$stock" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')
pw_ours=$(col ours "$cmp_mem" 8 | median)
pw_stock=$(col stock "$cmp_mem" 8 | median)

# Reaction latency.
P=$S/bench-ping
read -r t_n t50 t90 t99 tmax <<EOF
$(samples "$P"/testing-ours-*.txt | stats)
EOF
read -r k_n k50 k90 k99 kmax <<EOF
$(samples "$P"/sysrq-ours-*.txt | stats)
EOF
read -r s_n s50 s90 s99 smax <<EOF
$(samples "$P"/sysrq-stock-*.txt | stats)
EOF
read -r v_n v50 v90 v99 vmax <<EOF
$(samples "$P"/testing-pvh-*.txt | stats)
EOF
read -r w_n w50 w90 w99 wmax <<EOF
$(samples "$P"/sysrq-pvh-*.txt | stats)
EOF
v_lost=$(lost "$P"/testing-pvh-*.txt)
w_lost=$(lost "$P"/sysrq-pvh-*.txt)
t_lost=$(lost "$P"/testing-ours-*.txt)
k_lost=$(lost "$P"/sysrq-ours-*.txt)
s_lost=$(lost "$P"/sysrq-stock-*.txt)

# Footprint.
kern=$(size "$O/image/vmlinuz")
initrd=$(size "$O/image/initrd.img")
dbg=$(size "$O/image/initrd-debug.img")
xtvd=$(size "$O/daemon/xtvd")
init=$(size "$O/init/init")
both=$((kern + initrd))
meminfo=$S/bench-mem/meminfo.txt
# The debug initrd needs at least DEBUG_MEM (tests/lab/lib.sh): bench-mem records its size.
meminfo_mem=$(cat "$S/bench-mem/mem-mib.txt" 2>/dev/null || echo "$mem")
mi() { awk -v k="$1:" '$1 == k { print $2 }' "$meminfo" 2>/dev/null | tail -n 1; }
kmem=$(grep 'Memory: ' "$meminfo" 2>/dev/null | sed 's/.*Memory: \([^ ]*\) available.*/\1/' | tail -n 1)

# Scale.
scale_row=$(awk -F'\t' 'NR == 2' "$S/bench-scale/scale.tsv" 2>/dev/null || true)
sc_n=$(echo "$scale_row" | cut -f1) sc_ready=$(echo "$scale_row" | cut -f2)
sc_ans=$(echo "$scale_row" | cut -f3) sc_boot=$(echo "$scale_row" | cut -f4)
sc_msg=$(echo "$scale_row" | cut -f5) sc_jobs=$(echo "$scale_row" | cut -f6)
xen_free() { awk '/^free_memory/ { print $3 }' "$S/bench-scale/$1" 2>/dev/null || true; }
sc_free0=$(xen_free xl-info.txt) sc_free1=$(xen_free xl-info-after.txt)
sc_dom0=$(awk '/^Mem:/ { print $7 }' "$S/bench-scale/dom0-free.txt" 2>/dev/null || true)

# Build.
build_row=$(awk -F'\t' 'NR == 2' "$B/build.tsv" 2>/dev/null || true)
b_clean=$(echo "$build_row" | cut -f1) b_noop=$(echo "$build_row" | cut -f2)
b_clean2=$(echo "$build_row" | cut -f3) b_same=$(echo "$build_row" | cut -f4)
b_differ=$(echo "$build_row" | cut -f5) b_load=$(echo "$build_row" | cut -f6-8)

# Memory floor per mode from check-lab runs of the fast set: each run's mode and memory as
# its runner logged them ("lab: set=fast type=pv memory=9MiB ...").
floor_rows=""
floor_pv="" floor_pvh=""
for d in $FLOOR; do
	[ -f "$d/summary.tsv" ] || continue
	line=$(grep -h '^lab: set=fast type=' "$d/serial.log" 2>/dev/null | head -n 1 | tr -d '\r')
	[ -n "$line" ] || continue
	t=$(echo "$line" | sed 's/.* type=\([a-z]*\) .*/\1/')
	m=$(echo "$line" | sed 's/.* memory=\([0-9]*\)MiB.*/\1/')
	tot=$(grep -c . "$d/summary.tsv" || true)
	ok=$(awk -F'\t' '$2 == "pass"' "$d/summary.tsv" | grep -c . || true)
	floor_rows="$floor_rows| check-lab as $t at ${m} MiB | $ok of $tot scenarios passed (\`$d\`) | |
"
	if [ "$ok" = "$tot" ] && [ "$tot" -gt 0 ]; then
		case "$t" in
		pv) if [ -z "$floor_pv" ] || [ "$m" -lt "$floor_pv" ]; then floor_pv=$m; fi ;;
		pvh) if [ -z "$floor_pvh" ] || [ "$m" -lt "$floor_pvh" ]; then floor_pvh=$m; fi ;;
		esac
	fi
done

# Boot floor per mode from the bench session (boots to ready and answers one message).
boot_floor_pv=$(cat "$S/bench-floor/boot-floor-pv" 2>/dev/null || true)
boot_floor_pvh=$(cat "$S/bench-floor/boot-floor-pvh" 2>/dev/null || true)
floor_tried() {
	awk -F'\t' -v t="$1" 'NR > 1 && $1 == t { printf "%s%s MiB %s", sep, $2, ($4 == 1 ? "ok" : "no"); sep = ", " }' \
		"$S/bench-floor/floor.tsv" 2>/dev/null || true
}
# floor_verdict FLOOR: met when FLOOR is at most 12 MiB.
floor_verdict() { if [ -n "$1" ]; then verdict "$1 <= 12"; else echo "**not met**"; fi; }
scale_mem=$(cat "$S/bench-scale/mem" 2>/dev/null || echo "$mem")

load_before=$(cat "$O/bench/load-before" 2>/dev/null || echo "?")
load_after=$(cat "$O/bench/load-after" 2>/dev/null || echo "?")
when=$(stat -c %y "$R/summary.tsv" 2>/dev/null | cut -d. -f1)

# Xen's clock. Xen counts its platform timer's (the HPET's) wraps with a timer of its own;
# a check that comes late (the emulated CPU held up) lets the counter wrap unseen. Xen's
# time, which dom0's clocks and every guest's are made from, then runs slow until Xen
# sees it and says so once on its console, and jumps while it catches up. Seen once, on
# 29 November 2026: bench-boot took 194 s by dom0's clock (about 410 s in other
# sessions), and the next scenario's first boots took 0.5 s. The scenario named is the
# last one started before the line.
clock_note=""
clock_line=$(grep -a -o 'Platform timer appears to have unexpectedly wrapped[^.]*\.' "$R/serial.log" 2>/dev/null | head -n 1 || true)
if [ -n "$clock_line" ]; then
	clock_sc=$(awk '/Platform timer appears to have unexpectedly wrapped/ { print last; exit }
		{ if (match($0, /lab: \[[0-9]+\/[0-9]+\] [a-z0-9-]+/)) last = substr($0, RSTART, RLENGTH) }' "$R/serial.log" |
		sed 's/^lab: \[[0-9]*\/[0-9]*\] //')
	clock_note="
**Xen's clock failed in this session: its figures are not valid.** Xen's console says
\"$clock_line\" at the end of \`${clock_sc:-?}\`. Xen's time, which dom0's clocks and
the guests' are made from, ran slow before that, and jumped while it caught up after it,
so the times of this session are wrong by unknown amounts. The verdicts below are printed
as computed; do not take them.
"
fi

{
	cat <<EOF
# Benchmarks

Written by \`make bench\` (tests/bench/report.sh) from one lab session; do not edit by hand.
Measured $when UTC on the build machine: $(nproc) shared cores ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)),
$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), **no KVM**: Xen 4.17 and dom0 run in QEMU under
**TCG (software emulation)**, so absolute times are those of an emulated machine, many
times slower than hardware; the comparisons (ratios) are the figures that carry over. The
machine was shared with other work: host load average (1/5/15 min) $load_before before the
lab session, $load_after after it.
$clock_note
All lab times are taken in dom0 with \`tests/bench/xsbench\` (CLOCK_MONOTONIC, microsecond
resolution, xenstore watches, no polling): a boot is timed from just before \`xl create\`
to the moment \`data/xtv/ready\` reads \`1\`; a first answer from just before \`xl create\`
to the guest's acknowledgement (\`""\`) of a testing message written as soon as the domain
exists; a reaction from just before dom0's write of a message to the moment the guest's
acknowledgement is visible in dom0. Stock = Debian's own kernel (dom0's vmlinux) booting
**our** initrd with \`console=hvc0\`: our init and daemon answer under it, so the stock
figure is the same first answer with only the kernel swapped.

| what | measured | target | |
|---|---|---|---|
| first answer, ours (${cmp_mem} MiB), median of $nf_ours | $f_ours ms | | |
| first answer, Debian stock kernel, same initrd, ${cmp_mem} MiB, median of $nf_stock | $f_stock ms | | |
| first answer ratio ours / stock, as PV | $f_ratio | ≤ 0.25 | $(verdict "$f_ratio <= 0.25") |
| first answer, ours at ${mem} MiB, median | $f_floor ms | | |
| first answer, the same image as PVH, ${cmp_mem} MiB / ${pvh_mem} MiB, medians of $nf_pvh | $f_pvh / $f_pvh_floor ms | | |
| first answer, Debian stock kernel as PVH, same initrd, ${cmp_mem} MiB, median of $nf_stock_pvh | $f_stock_pvh ms | | |
| first answer ratio ours / stock, as PVH | $f_ratio_pvh | ≤ 0.25 | $(verdict "$f_ratio_pvh <= 0.25") |
| of which xl create → domain in xenstore (toolstack, same for both), PV ours / stock, PVH ours / stock | $intro_ours / $intro_stock, $intro_pvh / $intro_stock_pvh ms | | |
| the rest (domain introduced → first answer: guest kernel and our user space), ours / stock, medians | $g_ours / $g_stock ms, ratio $g_ratio | | |
| where it goes (\`bench-timeline\`, traced boots: $tl_n of ours, $tl_ns of stock, medians): xl create → libxl unpauses the domain (xl, the domain build, the console), ours / stock | $tl_unpause_ours / $tl_unpause_stock ms | | |
| xl's own work after the unpause (it forks the process that waits for the domain and exits), beside the guest on dom0's one CPU, ours / stock | $tl_xl_ours / $tl_xl_stock ms | | |
| unpause → first answer (the guest's kernel and our user space), ours / stock | $tl_guest_ours / $tl_guest_stock ms, ratio $tl_ratio | | |
| of which the guest kernel's start → \`/init\` (its printk time), ours / stock | $tl_init_ours / $tl_init_stock ms | | |
| first answer at ${mem} MiB: as built / with \`quiet\` / kernel uncompressed, medians | $f_floor / $f_quiet / $f_elf ms | | |
| boot to ready at ${mem} MiB: as built / with \`quiet\` / kernel uncompressed, medians | $ours_floor / $r_quiet / $r_elf ms | | |
| xl create → domain introduced at ${mem} MiB: bzImage / uncompressed ELF, medians | $i_floor / $i_elf ms | | |
| boot to ready, ours (${cmp_mem} MiB), median of $n_ours | $(ms "$(awk -v v="$ours" 'BEGIN { print v * 1000 }')") ms | | |
| boot to ready, Debian stock kernel, same initrd, ${cmp_mem} MiB, median of $n_stock | $(ms "$(awk -v v="$stock" 'BEGIN { print v * 1000 }')") ms | | |
| boot to ready ratio ours / stock | $ratio | | |
| boot to ready, ours at ${mem} MiB, median | $ours_floor ms | | |
| boot to ready, PV / PVH, ${cmp_mem} MiB, medians | $ours / $r_pvh ms | | |
| boot to ready, PV at ${mem} MiB / PVH at ${pvh_mem} MiB, medians | $ours_floor / $r_pvh_floor ms | | |
| testing message → daemon's ack, $t_n messages ($t_lost lost): p50 / p90 / p99 / max | $(ms "$t50") / $(ms "$t90") / $(ms "$t99") / $(ms "$tmax") ms | | |
| control/sysrq → in-kernel ack, our kernel, $k_n ($k_lost lost): p50 / p90 / p99 / max | $(ms "$k50") / $(ms "$k90") / $(ms "$k99") / $(ms "$kmax") ms | | |
| control/sysrq → in-kernel ack, stock kernel, $s_n ($s_lost lost): p50 / p90 / p99 / max | $(ms "$s50") / $(ms "$s90") / $(ms "$s99") / $(ms "$smax") ms | | |
| our p50 / in-kernel p50 (same VM), as PV | $(awk -v a="$t50" -v b="$k50" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }') | ≤ 1.1 | $(verdict "$t50 <= 1.1 * $k50 && $k50 > 0") |
| our p99, as PV | $(ms "$t99") ms | ≤ 50 ms | $(verdict "$t99 <= 50000 && $t_lost == 0") |
| as PVH: testing message → daemon's ack, $v_n ($v_lost lost): p50 / p90 / p99 / max | $(ms "$v50") / $(ms "$v90") / $(ms "$v99") / $(ms "$vmax") ms | | |
| as PVH: control/sysrq → in-kernel ack, $w_n ($w_lost lost): p50 / p90 / p99 / max | $(ms "$w50") / $(ms "$w90") / $(ms "$w99") / $(ms "$wmax") ms | | |
| as PVH: our p50 / in-kernel p50 (same VM) | $(awk -v a="$v50" -v b="$w50" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }') | ≤ 1.1 | $(verdict "$v50 <= 1.1 * $w50 && $w50 > 0") |
| as PVH: our p99 | $(ms "$v99") ms | ≤ 50 ms | $(verdict "$v99 <= 50000 && $v_lost == 0 && $v_n > 0") |
| control/shutdown=poweroff → ack, ours (daemon) / stock (kernel), medians | $(ms "$pw_ours") / $(ms "$pw_stock") ms | | |
| kernel (vmlinuz) + initrd.img | $(mib "$both") ($(kib "$kern") + $(kib "$initrd")) | ≤ 2.5 MiB | $(verdict "$both <= 2621440") |
| xtvd / init (static, stripped) / initrd-debug.img | $(kib "$xtvd") / $(kib "$init") / $(kib "$dbg") | | |
| guest memory after boot at ${meminfo_mem} MiB (guest's /proc/meminfo) | MemTotal $(mi MemTotal) kB, MemFree $(mi MemFree) kB, MemAvailable $(mi MemAvailable) kB; kernel: $kmem available | | |
| boot floor as PV: smallest memory= that boots to ready and answers a message ($(floor_tried pv)) | ${boot_floor_pv:-none} MiB | ≤ 12 MiB | $(floor_verdict "$boot_floor_pv") |
| boot floor as PVH ($(floor_tried pvh)) | ${boot_floor_pvh:-none} MiB | ≤ 12 MiB | $(floor_verdict "$boot_floor_pvh") |
${floor_rows}| memory floor as PV (smallest memory= where the whole check-lab matrix passes) | ${floor_pv:-not measured here} MiB | ≤ 12 MiB | $(if [ -n "$floor_pv" ]; then floor_verdict "$floor_pv"; else echo "see docs/lab.md"; fi) |
| memory floor as PVH | ${floor_pvh:-not measured here} MiB | ≤ 12 MiB | $(if [ -n "$floor_pvh" ]; then floor_verdict "$floor_pvh"; else echo "see docs/lab.md"; fi) |
| $sc_n VMs at ${scale_mem} MiB up at once (created by ${sc_jobs:-all} \`xl create\` at a time): ready / answered one message | $sc_ready / $sc_ans; all ready after $sc_boot ms, all answered $sc_msg ms later | 64, no failures | $(verdict "${sc_n:-0} >= 64 && ${sc_ready:-0} == ${sc_n:-1} && ${sc_ans:-0} == ${sc_n:-1}") |
| Xen free memory before / with the $sc_n VMs up; dom0 available with them | ${sc_free0:-?} / ${sc_free1:-?} MiB; ${sc_dom0:-?} MiB | | |
| clean build (\`make image\`, sources cached) | $(if [ -n "$b_clean" ]; then echo "$(ms "$(awk -v v="$b_clean" 'BEGIN { print v * 1000 }')") ms"; else echo "not measured (no $B/build.tsv: make bench-build)"; fi) | | |
| no-op rebuild | $(if [ -n "$b_noop" ]; then echo "$(ms "$(awk -v v="$b_noop" 'BEGIN { print v * 1000 }')") ms"; else echo "not measured"; fi) | ≤ 5 s | $(if [ -n "$b_noop" ]; then verdict "$b_noop <= 5000"; else echo "not measured"; fi) |
| two clean builds byte-identical | $(if [ -n "$build_row" ]; then echo "identical: ${b_same:-?}; differ: ${b_differ:-none}"; else echo "not measured"; fi) | identical | $(if [ -n "$build_row" ]; then verdict "\"${b_differ}\" == \"\""; else echo "not measured"; fi) |
EOF
	echo
	if [ -n "$build_row" ]; then
		echo "Build figures: the second clean build took $(ms "$(awk -v v="$b_clean2" 'BEGIN { print v * 1000 }')") ms; host load during the builds (1/5/15 min): $b_load."
		echo
	fi
	# Hand-written notes on method and findings (kept next to the script).
	if [ -f "$(dirname "$0")/notes.md" ]; then cat "$(dirname "$0")/notes.md"; fi
} >"$DOC.tmp"
mv "$DOC.tmp" "$DOC"
[ -z "$clock_line" ] || echo "report.sh: Xen's clock failed in this session ($clock_line): its figures are not valid" >&2
echo "report.sh: wrote $DOC"

# The small raw tables, kept in git next to the report (results/ is not).
if [ -n "$DATA" ]; then
	mkdir -p "$DATA"
	for f in bench-boot/boots.tsv bench-floor/floor.tsv bench-scale/scale.tsv bench-mem/meminfo.txt; do
		if [ -f "$S/$f" ]; then cp "$S/$f" "$DATA/"; fi
	done
	# Every latency sample: block name, microseconds.
	for f in "$P"/*-ours-*.txt "$P"/*-stock-*.txt; do
		[ -f "$f" ] || continue
		b=$(basename "$f" .txt)
		awk -v b="$b" '$1 == "sample" { print b "\t" $2 } $1 == "lost" { print b "\tlost" }' "$f"
	done | { printf 'block\tus\n'; cat; } >"$DATA/ping.tsv"
	# Per-VM result lines of the scale run, and the session's summary.
	if [ -f "$S/bench-scale/boots.txt" ]; then cp "$S/bench-scale/boots.txt" "$DATA/scale-boots.txt"; fi
	if [ -f "$R/summary.tsv" ]; then cp "$R/summary.tsv" "$DATA/summary.tsv"; fi
	if [ -n "$timeline" ]; then echo "$timeline" >"$DATA/timeline.txt"; fi
	echo "report.sh: raw tables in $DATA"
fi
