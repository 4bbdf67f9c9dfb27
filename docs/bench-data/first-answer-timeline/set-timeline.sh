# shellcheck shell=sh
# temporary (untracked): a timeline of the first answer in dom0's clock, and an A/B
SCENARIOS="$SCENARIOS
timeline          timeline        b_timeline                      | first answer timeline: xl -vvv stamped, xenstore events, printk times
"
# tl_once LABEL KIND MEM: KIND as bench_kernel; TL_KERNEL / TL_RAMDISK override the image.
tl_once() {
	k=$(bench_kernel "$2")
	BENCH_SEQ=$((${BENCH_SEQ:-0} + 1))
	name=xt-$BENCH_SEQ-$1-$3
	out=$SC_DIR/$name.out
	rest=${k#*|}
	kern=${k%%|*}
	[ -z "${TL_KERNEL:-}" ] || kern=$TL_KERNEL
	bench_cfg "$SC_DIR/$name.cfg" "$name" "$kern" "${TL_RAMDISK:-$XTV_RAMDISK}" "${rest%|*} printk.time=1" "$3" "${k##*|}"
	"$XSBENCH" trace 200 /local/domain @introduceDomain @releaseDomain >"$SC_DIR/$name.trace" 2>&1 &
	tpid=$!
	sleep 1
	"$XSBENCH" first "$name" "$BOOT_TIMEOUT" "$BENCH_MSG" sh -c \
		"xl -vvv create $SC_DIR/$name.cfg 2>&1 | $XSBENCH stamp >$SC_DIR/$name.xl" >"$out" 2>&1 || true
	d=$(field domid "$out")
	"$XSBENCH" ping "/local/domain/$d/control/shutdown" 1 0 30000 poweroff >"$SC_DIR/$name.poweroff" 2>&1 || true
	await @releaseDomain 60 name_gone "$name" || true
	if ! name_gone "$name"; then (timeout 30 xl destroy "$name") >/dev/null 2>&1 || true; fi
	kill "$tpid" 2>/dev/null || true
	cp "/var/log/xen/console/guest-$name.log" "$SC_DIR/$name.console" 2>/dev/null || true
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$3" "$(field domid "$out")" "$(field intro_ms "$out")" \
		"$(field ready_ms "$out")" "$(field first_ms "$out")" >>"$SC_DIR/boots.tsv"
	note "tl $1 ${3}MiB: $(cat "$out")"
}
b_timeline() {
	printf 'variant\tmem\tdomid\tintro_ms\tready_ms\tfirst_ms\n' >"$SC_DIR/boots.tsv"
	note "load before: $(cat /proc/loadavg)"
	i=1
	while [ "$i" -le "${TL_ROUNDS:-5}" ]; do
		for mem in "$BENCH_CMP_MEM" "$XTV_MEM"; do
			tl_once new ours "$mem"
			TL_KERNEL=$BENCH_EXTRA/old-vmlinuz
			tl_once old ours "$mem"
			TL_KERNEL=$BENCH_EXTRA/compact-vmlinuz
			tl_once compactgz ours "$mem"
			TL_KERNEL=
		done
		[ "$i" -gt 1 ] || tl_once stock stock "$BENCH_CMP_MEM"
		i=$((i + 1))
	done
	note "load after: $(cat /proc/loadavg)"
	pass
}
