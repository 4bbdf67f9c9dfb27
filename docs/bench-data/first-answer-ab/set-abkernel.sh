# shellcheck shell=sh
# temporary (untracked): first answer, gzip bzImage vs lz4 bzImage, alternating, one session
SCENARIOS="$SCENARIOS
ab-kernel         abkernel        b_abkernel                      | first answer: vmlinuz-gz vs vmlinuz-lz4
"
b_abkernel() {
	printf 'kernel\tmem_mib\tround\tdomid\tintro_ms\tready_ms\tfirst_ms\tpoweroff_ack_us\n' >"$SC_DIR/boots.tsv"
	XTV_RAMDISK=$BENCH_EXTRA/initrd.img
	i=1
	while [ "$i" -le "${AB_ROUNDS:-8}" ]; do
		for v in gz lz4; do
			XTV_KERNEL=$BENCH_EXTRA/vmlinuz-$v
			boot_once ours "$XTV_MEM" "$v$i"
			boot_once ours-pvh "$BENCH_PVH_MEM" "$v$i"
		done
		i=$((i + 1))
	done
	pass
}
