# shellcheck shell=sh
# The `modes` set (make lab-modes, docs/benchmarks.md "PV and PVH"): the same image booted
# as a PV and as a PVH guest in one lab session, side by side: the memory floor of each
# mode and boot-to-ready times, rounds alternating between the modes so that both see the
# same load. Measurements, not tests: a scenario passes once it has measured. Timing comes
# from tests/bench/xsbench in /lab/extra (CLOCK_MONOTONIC, xenstore watches).
# Sourced by scenarios.sh; uses lib.sh.
# shellcheck disable=SC2317,SC2329 # functions are called through the table

SCENARIOS="$SCENARIOS
modes-floor       modes           m_floor                         | smallest memory= (MiB) that boots to ready and answers a message, PV and PVH
modes-boot        modes           m_boot                          | boot to ready, PV and PVH alternating, at each of MODES_MEMS MiB
"

: "${MODES_SIZES:=12 14 16 18 20 24}" "${MODES_BOOTS:=5}" "${MODES_MEMS:=20}"
MODES_XSBENCH=${MODES_XSBENCH:-/lab/extra/xsbench}

# mode_cfg FILE NAME TYPE MEM: an xl config; the domain is destroyed when it shuts down.
mode_cfg() {
	cat >"$1" <<EOF
name = "$2"
type = "$3"
kernel = "$XTV_KERNEL"
ramdisk = "$XTV_RAMDISK"
extra = "$XTV_EXTRA"
memory = $4
vcpus = 1
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
EOF
}

# mode_field KEY FILE: the value of KEY=VALUE in xsbench's result line.
mode_field() {
	awk -v k="$1=" '{ for (i = 1; i <= NF; i++) if (index($i, k) == 1) v = substr($i, length(k) + 1) }
	END { print v }' "$2"
}

# mode_boot NAME TYPE MEM: one timed boot (xl create -> READY_NODE = 1); with ANSWER=1 the
# daemon must then accept a testing message. Prints "READY_MS ANSWERED" (-1.0 0: not
# ready); the domain is destroyed and its console and xl output kept.
mode_boot() {
	mode_cfg "$SC_DIR/$1.cfg" "$1" "$2" "$3"
	"$MODES_XSBENCH" boot "$1" "$READY_NODE" "$BOOT_TIMEOUT" xl create "$SC_DIR/$1.cfg" \
		>"$SC_DIR/$1.out" 2>&1 || true
	b_ready=$(mode_field ready_ms "$SC_DIR/$1.out")
	b_domid=$(mode_field domid "$SC_DIR/$1.out")
	b_answered=0
	if [ "${ANSWER:-0}" = 1 ] && [ "${b_ready:--1.0}" != -1.0 ] && [ "${b_domid:--1}" -ge 0 ] 2>/dev/null; then
		xtv-send -t 60 "$b_domid" --when now --action ignore >"$SC_DIR/$1.send" 2>&1 && b_answered=1
	fi
	cp "/var/log/xen/console/guest-$1.log" "$SC_DIR/$1.console" 2>/dev/null || true
	if xl domid "$1" >/dev/null 2>&1; then (timeout 30 xl destroy "$1") >/dev/null 2>&1 || true; fi
	echo "${b_ready:--1.0} $b_answered"
}

# m_floor: each mode at each of MODES_SIZES MiB (ascending); the smallest size at which
# the VM became ready and answered is that mode's floor (SC_DIR/floor-MODE).
m_floor() {
	need "xsbench in $MODES_XSBENCH" [ -x "$MODES_XSBENCH" ]
	printf 'type\tmem_mib\tready_ms\tanswered\n' >"$SC_DIR/floor.tsv"
	for t in pv pvh; do
		for m in $MODES_SIZES; do
			r=$(ANSWER=1 mode_boot "xm-$t-$m" "$t" "$m")
			printf '%s\t%s\t%s\t%s\n' "$t" "$m" "${r% *}" "${r#* }" >>"$SC_DIR/floor.tsv"
			note "$t at ${m} MiB: ready_ms ${r% *}, answered ${r#* }"
			if [ "${r#* }" = 1 ] && [ ! -s "$SC_DIR/floor-$t" ]; then echo "$m" >"$SC_DIR/floor-$t"; fi
		done
	done
	check "PV boots and answers at some size" [ -s "$SC_DIR/floor-pv" ]
	check "PVH boots and answers at some size" [ -s "$SC_DIR/floor-pvh" ]
	pass "floor PV $(cat "$SC_DIR/floor-pv") MiB, PVH $(cat "$SC_DIR/floor-pvh") MiB"
}

# m_boot: MODES_BOOTS rounds; each round boots PV and PVH at each of MODES_MEMS MiB.
m_boot() {
	need "xsbench in $MODES_XSBENCH" [ -x "$MODES_XSBENCH" ]
	printf 'type\tmem_mib\tround\tready_ms\n' >"$SC_DIR/boots.tsv"
	i=1
	while [ "$i" -le "$MODES_BOOTS" ]; do
		for m in $MODES_MEMS; do
			for t in pv pvh; do
				r=$(mode_boot "xb-$t-$m-$i" "$t" "$m")
				printf '%s\t%s\t%s\t%s\n' "$t" "$m" "$i" "${r% *}" >>"$SC_DIR/boots.tsv"
			done
		done
		i=$((i + 1))
	done
	# The median per mode and size (the middle sample; the lower middle for an even count).
	awk -F'\t' 'NR > 1 { k = $1 "\t" $2; v[k] = v[k] " " $4 }
		END { for (k in v) { n = split(v[k], a, " "); asort_n(a, n)
			printf "%s\t%s\n", k, a[int((n + 1) / 2)] } }
		function asort_n(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t } }' \
		"$SC_DIR/boots.tsv" | sort >"$SC_DIR/medians.tsv"
	note "medians (type, MiB, ready_ms): $(tr '\t\n' ' ;' <"$SC_DIR/medians.tsv")"
	check "every boot reached ready" not grep -q '	-1\.0$' "$SC_DIR/boots.tsv"
	pass
}
