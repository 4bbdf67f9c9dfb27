# shellcheck shell=sh
# The `probe` set (make lab-probe, docs/kernel.md "Memory and sizes"): where the memory of
# a small test VM goes. For each case of PROBE_CASES (MEM, or MEM:debug for the debug
# initrd, run-lab.sh's XTV_DEBUG_RAMDISK) the VM boots under `xl -vvv create`, so that
# xl's log has the domain builder's layout, with PROBE_EXTRA on the guest's command line
# (default: the early Xen console and memblock debugging, so that a guest dying before its
# console is up still tells why). It must become ready and answer one message. Kept per case:
# xl-CASE.log and console-CASE.log. A measurement, like lab-floor: it passes once every
# case has been tried; checks.log says which cases worked.
# shellcheck disable=SC2317,SC2329 # functions are called through the table

SCENARIOS="$SCENARIOS
mem-probe         probe           t_mem_probe                     | builder layout and guest boot log for each of PROBE_CASES
"

t_mem_probe() {
	XTV_EXTRA="$XTV_EXTRA ${PROBE_EXTRA:-earlyprintk=xen memblock=debug}"
	p_ramdisk=$XTV_RAMDISK
	for c in ${PROBE_CASES:-12}; do
		m=${c%%:*}
		XTV_RAMDISK=$p_ramdisk
		case "$c" in *:debug) XTV_RAMDISK=$XTV_DEBUG_RAMDISK ;; esac
		# shellcheck disable=SC2034 # read by lib.sh's vm_config and console_log
		DOM=xtv-probe-$(echo "$c" | tr : -)
		if vm_config "$m" && xl_monitor xl -vvv create -F "$SC_DIR/domain.cfg" && vm_ready &&
			send_ok --when now --action ignore; then
			note "case $c: ready and answers"
		else
			note "case $c: does not work ($(dom_diagnosis))"
		fi
		cleanup_domains
		cp "$XL_LOG" "$SC_DIR/xl-$c.log" 2>/dev/null || true
		cp "$(console_log)" "$SC_DIR/console-$c.log" 2>/dev/null || true
	done
	pass
}
