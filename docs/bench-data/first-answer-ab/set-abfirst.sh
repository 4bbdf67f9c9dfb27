# shellcheck shell=sh
# temporary (untracked): first answer, old daemon start-up vs new, alternating, one session
SCENARIOS="$SCENARIOS
ab-first          abfirst         b_abfirst                       | first answer: initrd-old vs initrd-new, stock for the ratio
"
b_abfirst() {
	printf 'kernel\tmem_mib\tround\tdomid\tintro_ms\tready_ms\tfirst_ms\tpoweroff_ack_us\n' >"$SC_DIR/boots.tsv"
	note "load before: $(cat /proc/loadavg)"
	i=1
	while [ "$i" -le "${AB_ROUNDS:-6}" ]; do
		for v in old new; do
			XTV_RAMDISK=$BENCH_EXTRA/initrd-$v.img
			boot_once ours "$BENCH_CMP_MEM" "$v$i"
			boot_once ours "$XTV_MEM" "$v$i"
			boot_once ours-pvh "$BENCH_PVH_MEM" "$v$i"
		done
		XTV_RAMDISK=$BENCH_EXTRA/initrd-new.img
		boot_once stock "$BENCH_CMP_MEM" "$i"
		i=$((i + 1))
	done
	note "load after: $(cat /proc/loadavg)"
	pass
}
