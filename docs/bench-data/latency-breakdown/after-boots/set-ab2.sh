# shellcheck shell=sh
# temporary probe: ping before/after boots (is the machine slower after them?)
SCENARIOS="$SCENARIOS
ab2-ping          ab2             ab2_ping                        | daemon variants ack latency, fresh and after boots
"
AB2_MSG='{"when":"now","ack":"ok","action":"ignore"}'
ab2_up() { # NAME TYPE INITRD MEM
	DOM=xab-$1 XTV_TYPE=$2 XTV_RAMDISK=$3
	vm_up "$4"
	xenstore-write "$(xs_path control/testing)" ""
	xenstore-chmod "$(xs_path control/testing)" "n$DOMID"
	eval "D_$1=\$DOMID"
}
ab2_state() {
	{
		echo "== $1 $(date +%T)"
		xl info | grep -E 'free_memory|total_memory'
		grep -E 'MemFree|MemAvailable' /proc/meminfo
		for p in $(pidof xenstored xenconsoled); do grep -E 'Name|VmRSS' /proc/$p/status; done || true
		xenstore-ls -f / | wc -l || true
		xl list | wc -l
	} >>"$SC_DIR/state.txt" 2>&1
}
ab2_rounds() { # PHASE ROUNDS
	for r in $(seq "$2"); do
		for v in pt_pv pt_pvh; do
			eval "DOMID=\$D_$v"
			/lab/extra/xsbench pair 30 20 10000 sysrq "$(xs_path control/sysrq)" x \
				testing "$(xs_path control/testing)" "$AB2_MSG" >"$SC_DIR/pair-$1-$v-$r.out" 2>&1
			note "$1 $v-$r: $(grep : "$SC_DIR/pair-$1-$v-$r.out" | tr '\n' ' ')"
		done
	done
}
ab2_ping() {
	ab2_up pt_pv pv /lab/domu/initrd 9
	ab2_up pt_pvh pvh /lab/domu/initrd 10
	ab2_state fresh
	ab2_rounds fresh 4
	for i in $(seq "${AB2_BOOTS:-12}"); do
		k=$XTV_KERNEL e=$XTV_EXTRA
		DOM=xdeg-$i XTV_TYPE=pv XTV_RAMDISK=/lab/domu/initrd
		if [ $((i % 2)) = 0 ]; then XTV_KERNEL=/lab/extra/stock-vmlinux XTV_EXTRA=console=hvc0; fi
		vm_up 128
		XTV_KERNEL=$k XTV_EXTRA=$e
		(timeout 30 xl destroy "$DOMID") >/dev/null 2>&1 || true
	done
	ab2_state after-boots
	ab2_rounds after 3
	ab2_state end
	for v in pt_pv pt_pvh; do
		cp "/var/log/xen/console/guest-xab-$v.log" "$SC_DIR/console-$v.log" || true
	done
	pass
}
