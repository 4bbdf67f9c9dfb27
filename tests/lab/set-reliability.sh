# shellcheck shell=sh
# The `reliability` and `soak` sets (docs/reliability.md). Not part of `make check`:
#   make check-reliability   storm, daemon respawn, xenstored restart   (tens of minutes)
#   make soak                100 save/restore + 100 save -c cycles        (hours under TCG)
# Sourced by scenarios.sh; uses lib.sh and the t_* functions of scenarios.sh.
# Extra files in /lab/extra (mk/bench.mk): xsbench. The debug initrd is run-lab.sh's
# (XTV_DEBUG_RAMDISK, lib.sh).
# shellcheck disable=SC2317,SC2329 # functions are called through the table

SCENARIOS="$SCENARIOS
storm             reliability     r_storm                         | 1000 testing messages back to back: none lost, every verdict right
storm-xtv-send    reliability     r_storm_send                    | testing messages back to back through xtv-send, each verdict checked
respawn           reliability     r_respawn                       | xtvd killed in the guest: init respawns it and it answers again
xenstored-restart reliability     r_xenstored                     | xenstored live-updated, then restarted, in dom0 mid-run: what the guest sees (last: breaks dom0)
soak-save-restore soak            r_save_restores 100             | 100 xl save / xl restore cycles, the daemon answers after each
soak-checkpoint   soak            r_checkpoints 100               | 100 xl save -c cycles, the daemon answers after each
"

: "${REL_EXTRA:=/lab/extra}" "${STORM_N:=1000}" "${STORM_SEND_N:=200}"
# A soak scenario stops starting new cycles after SOAK_BUDGET seconds and then fails with
# the number of cycles done (results are only extracted when the whole QEMU run ends).
: "${SOAK_BUDGET:=6000}"
REL_XSBENCH=$REL_EXTRA/xsbench

# The storm's messages, in a cycle of four: three kinds of valid ones and an invalid one.
STORM_1='{"when":"now","ack":"ok","action":"ignore"}'
STORM_2='{"when":"onshutdown","ack":"none","action":"ignore"}'
STORM_3='next:ignore'
STORM_4='now:dance'

# progress TEXT: a line on dom0's console (the host shows lines starting with "lab:").
progress() { echo "lab:   $DOM: $*" >/dev/console 2>/dev/null || true; }

count_console() { grep -c -- "$1" "$(console_log)" 2>/dev/null || true; }

# r_storm: STORM_N messages written back to back (the next one as soon as the previous one
# is acknowledged), timed by xsbench; then the daemon's counters and its console log must
# account for every one of them.
r_storm() {
	vm_up
	xenstore-write "$(xs_path control/testing)" ""
	xenstore-chmod "$(xs_path control/testing)" "n$DOMID"
	h0=$(xs_read data/xtv/handled) r0=$(xs_read data/xtv/rejected)
	m0=$(count_console 'event=message node=control/testing')
	# In chunks of 100 (a multiple of the cycle of 4), with a progress line on the console.
	: >"$SC_DIR/storm.txt"
	sent=0
	while [ "$sent" -lt "$STORM_N" ]; do
		"$REL_XSBENCH" ping "$(xs_path control/testing)" 100 0 30000 \
			"$STORM_1" "$STORM_2" "$STORM_3" "$STORM_4" >>"$SC_DIR/storm.txt" || true
		sent=$((sent + 100))
		progress "storm: $sent/$STORM_N sent, $(grep -c '^lost' "$SC_DIR/storm.txt" || true) lost"
	done
	awk '$1 == "sample" { print $2 }' "$SC_DIR/storm.txt" | sort -n |
		awk '{ v[++n] = $1 } END { if (n) printf "n=%d p50_us=%s p90_us=%s p99_us=%s max_us=%s\n", n,
			v[int((50 * n + 99) / 100)], v[int((90 * n + 99) / 100)], v[int((99 * n + 99) / 100)], v[n] }' \
		>"$SC_DIR/storm-latency.txt"
	note "storm: $(cat "$SC_DIR/storm-latency.txt")"
	check "$STORM_N messages acknowledged, none lost" not grep -q '^lost' "$SC_DIR/storm.txt"
	bad=$((STORM_N / 4))
	good=$((STORM_N - bad))
	# The counters are written after the ack: wait for the last one to land.
	check "data/xtv/handled = $h0 + $good" await_xs data/xtv/handled $((h0 + good)) "$ACK_TIMEOUT"
	check "data/xtv/rejected = $r0 + $bad" await_xs data/xtv/rejected $((r0 + bad)) "$ACK_TIMEOUT"
	sleep 1 # xenconsoled writes the log asynchronously
	m1=$(count_console 'event=message node=control/testing')
	check "console: $STORM_N messages logged ($m0 -> $m1)" [ $((m1 - m0)) = "$STORM_N" ]
	rj=$(count_console 'event=reject node=control/testing')
	check "console: $bad rejections logged (got $rj)" [ "$rj" = "$bad" ]
	check "data/xtv/last is the last message's verdict" xs_like data/xtv/last 'rejected testing:*'
	# The last override armed is next:ignore's (= ack ok); the rejected now:dance keeps it.
	check "pending override is the last one armed (next:ignore)" \
		xs_is data/xtv/pending '{"when":"onshutdown","ack":"ok","action":"ignore"}'
	check "domain still running" dom_running
	printf 'n\tlost\thandled_delta\trejected_delta\tconsole_messages\tconsole_rejects\n%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$STORM_N" "$(grep -c '^lost' "$SC_DIR/storm.txt" || true)" \
		$(($(xs_read data/xtv/handled) - h0)) $(($(xs_read data/xtv/rejected) - r0)) \
		$((m1 - m0)) "$rj" >"$SC_DIR/storm.tsv"
	pass
}

# r_storm_send: STORM_SEND_N messages through xtv-send, one after the other; each exit
# status (0 accepted, 1 rejected) and so each verdict is checked.
r_storm_send() {
	vm_up
	t0=$("$REL_XSBENCH" now)
	i=0 wrong=0
	while [ "$i" -lt "$STORM_SEND_N" ]; do
		case $((i % 4)) in
		0) m=$STORM_1 want=0 ;;
		1) m=$STORM_2 want=0 ;;
		2) m=$STORM_3 want=0 ;;
		*) m=$STORM_4 want=1 ;;
		esac
		rc=0
		xtv-send -t "$ACK_TIMEOUT" --no-validate "$DOMID" "$m" >>"$SC_DIR/xtv-send.log" 2>&1 || rc=$?
		if [ "$rc" != "$want" ]; then
			wrong=$((wrong + 1))
			note "message $i ($m): xtv-send exit $rc, expected $want"
		fi
		i=$((i + 1))
		[ $((i % 25)) -ne 0 ] || progress "xtv-send storm: $i/$STORM_SEND_N, $wrong wrong"
	done
	t1=$("$REL_XSBENCH" now)
	printf 'n\twrong\tms\n%s\t%s\t%s\n' "$STORM_SEND_N" "$wrong" $((t1 - t0)) >"$SC_DIR/storm-send.tsv"
	note "xtv-send storm: $STORM_SEND_N messages in $((t1 - t0)) ms, $wrong wrong"
	check "every xtv-send verdict as expected ($wrong wrong)" [ "$wrong" = 0 ]
	check "data/xtv/handled = $((STORM_SEND_N - STORM_SEND_N / 4))" \
		xs_is data/xtv/handled $((STORM_SEND_N - STORM_SEND_N / 4))
	check "data/xtv/rejected = $((STORM_SEND_N / 4))" xs_is data/xtv/rejected $((STORM_SEND_N / 4))
	pass
}

# type_line TEXT: type TEXT + newline into the guest's console (the pty xenconsoled offers
# to `xl console`, named in console/tty).
type_line() { printf '%s\n' "$1" >"$REL_TTY"; }

# kill_line SIGNAL: a shell line that signals every process named xtvd using only shell
# builtins (the debug initrd's busybox has no pkill).
# shellcheck disable=SC2016 # expanded by the guest's shell, not here
kill_line() {
	printf 'for d in /proc/[0-9]*; do read -r c <"$d/comm" && [ "$c" = xtvd ] && kill -%s "${d#/proc/}"; done' "$1"
}

# r_respawn: the debug initrd's shell on hvc0 kills xtvd; init must log the exit and the
# respawn, and the new daemon must answer.
r_respawn() {
	# shellcheck disable=SC2034 # read by lib.sh's vm_config
	XTV_RAMDISK=$XTV_DEBUG_RAMDISK
	XTV_EXTRA="$XTV_EXTRA debug"
	vm_up "$(debug_mem)"
	REL_TTY=$(xs_read console/tty)
	need "console tty ($REL_TTY)" [ -c "$REL_TTY" ]
	check "daemon answers before" send_ok --when now --action ignore
	check "debug shell started by init" await_console 'event=spawn name=sh' 30
	# What is typed before the shell's line editor reads is lost: first a harmless command
	# until its output appears (scenarios.sh), then the kill line, once.
	# shellcheck disable=SC2016 # expanded by the guest's shell, not here
	check "the shell runs typed commands" shell_runs 'echo debug-$((6 * 7))' '^debug-42'
	type_line "$(kill_line TERM)"
	check "init logs xtvd's exit by SIGTERM" await_console 'event=exit name=xtvd.*status=signal:15' 30
	check "init logs the respawn" await_console 'event=respawn name=xtvd' 30
	check "a second daemon started" await_console_count 'xtvd: event=start' 2 30
	check "respawned daemon answers a new message" send_ok --when now --action ignore
	check "data/xtv/ready = 1" xs_is data/xtv/ready 1
	check "data/xtv/last = ok testing ..." xs_is data/xtv/last "ok testing when=now ack=ok action=ignore"
	# And once more with SIGKILL: no chance to clean up.
	type_line "$(kill_line KILL)"
	check "init logs xtvd's exit by SIGKILL" await_console 'event=exit name=xtvd.*status=signal:9' 30
	check "a third daemon started" await_console_count 'xtvd: event=start' 3 30
	check "it answers" send_ok --when now --action ignore
	check "xl shutdown still works" xl_cmd xl-shutdown xl shutdown "$DOMID"
	expect_shutdown 0
	pass
}

# await_console_count PATTERN N TIMEOUT: at least N lines match (event driven on the log).
await_console_count() {
	n_t=0
	while [ "$(count_console "$1")" -lt "$2" ]; do
		[ "$n_t" -ge "$3" ] && return 1
		sleep 1 # xenconsoled's log file has no watch; 1 s steps, bounded
		n_t=$((n_t + 1))
	done
}

# budget_left: the scenario has been running for less than SOAK_BUDGET seconds.
budget_left() { [ $(($(date +%s) - SC_T0)) -lt "$SOAK_BUDGET" ]; }

# r_save_restores N: N cycles of xl save / xl restore -F; after each the new domain's
# daemon logs the resume with its new domid and answers a message.
r_save_restores() {
	vm_up
	i=1
	while [ "$i" -le "$1" ] && budget_left; do
		old=$DOMID
		check "cycle $i: xl save $old" xl_cmd "xl-save" xl save "$old" "$SC_DIR/save.img"
		check "cycle $i: monitoring xl saw the suspend" xl_exited
		check "cycle $i: xl restore" xl_monitor xl restore -F "$SC_DIR/save.img"
		rm -f "$SC_DIR/save.img"
		check "cycle $i: new domid ($old -> $DOMID)" [ "$DOMID" != "$old" ]
		check "cycle $i: console logs the resume in domid $DOMID" \
			await_console "event=resume outcome=resumed domid=$DOMID" "$BOOT_TIMEOUT"
		check "cycle $i: data/xtv/domid = $DOMID" await_xs data/xtv/domid "$DOMID" "$ACK_TIMEOUT"
		check "cycle $i: daemon answers" send_ok --when now --action ignore
		[ $((i % 10)) -ne 0 ] || progress "save/restore: $i/$1 cycles"
		i=$((i + 1))
	done
	i=$((i - 1))
	echo "$i" >"$SC_DIR/cycles"
	check "restored domain still obeys xl shutdown" xl_cmd xl-shutdown xl shutdown "$DOMID"
	expect_shutdown 0
	[ "$i" = "$1" ] || fail "only $i of $1 cycles within ${SOAK_BUDGET}s (each one passed)"
	pass
}

# r_checkpoints N: N `xl save -c` cycles; after each the same domain answers.
r_checkpoints() {
	vm_up
	i=1
	while [ "$i" -le "$1" ] && budget_left; do
		check "cycle $i: xl save -c" xl_cmd "xl-save" xl save -c "$DOMID" "$SC_DIR/save.img"
		rm -f "$SC_DIR/save.img"
		# xl create -F stops monitoring at the first suspend (see t_save_checkpoint).
		if [ -n "${XL_PID:-}" ]; then
			check "cycle $i: monitoring xl saw the suspend" xl_exited
			XL_PID=""
		fi
		check "cycle $i: console logs cancelled suspend #$i" \
			await_console_count 'event=resume outcome=cancelled' "$i" "$BOOT_TIMEOUT"
		check "cycle $i: same domain running" dom_running
		check "cycle $i: daemon answers" send_ok --when now --action ignore
		[ $((i % 10)) -ne 0 ] || progress "save -c: $i/$1 cycles"
		i=$((i + 1))
	done
	i=$((i - 1))
	echo "$i" >"$SC_DIR/cycles"
	check "xl shutdown still works" xl_cmd xl-shutdown xl shutdown "$DOMID"
	expect_shutdown 0
	[ "$i" = "$1" ] || fail "only $i of $1 cycles within ${SOAK_BUDGET}s (each one passed)"
	pass
}

# xs_answers: a testing message is acknowledged within 20 s (exit 0/1 of xtv-send).
xs_answers() {
	a_rc=0
	xtv-send -t 20 "$DOMID" --when now --action ignore >>"$SC_DIR/xtv-send.log" 2>&1 || a_rc=$?
	note "xtv-send -> $a_rc"
	[ "$a_rc" = 0 ]
}

# r_xenstored: (1) xenstored live update (the supported way to replace it): the guest must
# keep working; (2) xenstored killed and started afresh (all state lost): observe what the
# guest's ring connection does, try to re-introduce the domain, record everything.
# Leaves dom0 without its toolstack state: must be the last scenario of a run.
r_xenstored() {
	vm_up
	check "daemon answers before" xs_answers
	port=$(xs_read store/port) ref=$(xs_read store/ring-ref)
	note "store port $port ring-ref $ref; xenstored pid $(cat /run/xenstored.pid)"
	# (1) live update: same binary, state handed over through a file.
	lu_rc=0
	timeout 120 xenstore-control live-update /usr/lib/xen-4.17/bin/xenstored \
		>"$SC_DIR/live-update.log" 2>&1 || lu_rc=$?
	note "live-update -> $lu_rc: $(tr '\n' ' ' <"$SC_DIR/live-update.log")"
	note "xenstored pid now $(cat /run/xenstored.pid 2>/dev/null) ($(pidof xenstored || echo none))"
	lu_ok=0
	xs_answers && lu_ok=1
	note "after live update the daemon answers: $lu_ok"
	# (2) hard restart.
	xs_pid=$(cat /run/xenstored.pid)
	kill -TERM "$xs_pid" || true
	i=0
	while kill -0 "$xs_pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	xenstored --pid-file /run/xenstored.pid
	timeout 20 xen-init-dom0 >/dev/null 2>&1 || note "xen-init-dom0 failed"
	note "fresh xenstored pid $(cat /run/xenstored.pid)"
	{
		echo "== xenstore-ls /local/domain after the restart"
		xenstore-ls /local/domain 2>&1 | head -n 40
		echo "== xl list"
		timeout 20 xl list 2>&1
	} >"$SC_DIR/after-restart.txt"
	xenstore-write "$(xs_path control/testing)" '{"when":"now","ack":"ok","action":"ignore"}'
	fresh_ok=0
	await_xs control/testing "" 20 && fresh_ok=1
	note "fresh xenstored, message written by dom0 acked by the guest: $fresh_ok"
	xenstore-rm "$(xs_path control/testing)" 2>/dev/null || true
	# Re-attach the guest's ring (its page is reserved grant entry; the port is the guest's).
	intro_rc=0
	timeout 20 "$REL_XSBENCH" introduce "$DOMID" "$ref" "$port" >"$SC_DIR/introduce.log" 2>&1 || intro_rc=$?
	note "re-introduce domid $DOMID port $port -> $intro_rc: $(tr '\n' ' ' <"$SC_DIR/introduce.log")"
	xenstore-write "$(xs_path control/testing)" '{"when":"now","ack":"ok","action":"ignore"}'
	xenstore-chmod "$(xs_path control/testing)" "n$DOMID"
	intro_ok=0
	await_xs control/testing "" 20 && intro_ok=1
	note "after re-introduce, message acked by the guest: $intro_ok"
	sleep 2
	cp "$(console_log)" "$SC_DIR/console-now.log" 2>/dev/null || true
	printf 'live_update_rc\tlive_update_answers\tfresh_answers\tintroduce_rc\tintroduced_answers\n%s\t%s\t%s\t%s\t%s\n' \
		"$lu_rc" "$lu_ok" "$fresh_ok" "$intro_rc" "$intro_ok" >"$SC_DIR/xenstored.tsv"
	check "live update: the guest keeps answering" [ "$lu_ok" = 1 ]
	pass
}
