# shellcheck shell=sh
# temporary: daemon variants, sysrq vs testing, one session
SCENARIOS="$SCENARIOS
ab-ping           ab              ab_ping                         | daemon variants ack latency
"
XSBENCH=/lab/extra/xsbench
BENCH_MSG='{"when":"now","ack":"ok","action":"ignore"}'
ab_block() {
	"$XSBENCH" ping "$(xs_path "$2")" "$3" 20 10000 "$4" >"$SC_DIR/$1.txt" 2>&1
	note "$1: $(tail -n 1 "$SC_DIR/$1.txt")"
}
ab_up() {
	DOM=xab-$1 XTV_RAMDISK=$2
	vm_up
	xenstore-write "$(xs_path control/testing)" ""
	xenstore-chmod "$(xs_path control/testing)" "n$DOMID"
	eval "D_$1=\$DOMID"
}
ab_ping() {
	for v in ${AB_VARIANTS:-old new ns}; do
		f=/lab/extra/initrd-$v.img
		[ "$v" = new ] && f=/lab/domu/initrd
		ab_up "$v" "$f"
	done
	for r in 1 2 3 4 5; do
		for v in ${AB_VARIANTS:-old new ns}; do
			eval "DOMID=\$D_$v"
			"$XSBENCH" pair 30 20 10000 sysrq "$(xs_path control/sysrq)" x \
				testing "$(xs_path control/testing)" "$BENCH_MSG" >"$SC_DIR/pair-$v-$r.out" 2>&1
			for k in sysrq testing; do
				sed -n "s/^$k \([0-9]\)/sample \1/p" "$SC_DIR/pair-$v-$r.out" >"$SC_DIR/$k-$v-$r.txt"
			done
			note "$v-$r: $(grep : "$SC_DIR/pair-$v-$r.out" | tr '\n' ' ')"
		done
	done
	for v in ${AB_VARIANTS:-old new ns}; do cp "/var/log/xen/console/guest-xab-$v.log" "$SC_DIR/console-$v.log" || true; done
	pass
}
