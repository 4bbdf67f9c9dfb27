# shellcheck shell=sh
# The xenopsd-style subset: what XenServer 8's xenopsd does to a guest's xenstore,
# reproduced under xl (there is no xapi in Debian). Sourced by scenarios.sh; uses lib.sh.
# - control/, data/, attr/, feature/ are guest-writable (owned by the guest), so a
#   tester's control/testing needs no chmod;
# - control/platform-feature-multiprocessor-suspend and -xs_reset_watches are 1;
# - every request is written by xs-kick (tests/lab/tools/xs-kick.c): remove + write in
#   one transaction, as xenopsd's Domain.shutdown does, also for a retry;
# - xenopsd waits 60 s for an ack (30 s for suspend). The negative checks here use a
#   shorter bound (XO_NOACK_MS): a guest that acks does so within milliseconds.
# shellcheck disable=SC2317,SC2329 # functions are called through the table

SCENARIOS="$SCENARIOS
xo-poweroff       fast,full,xenopsd x_poweroff                    | xenopsd-style: remove+write poweroff, acked within 60 s, reason 0
xo-retry-held     fast,full,xenopsd x_retry_held                  | xenopsd-style: ack=none holds the request; the remove+write retry is honoured, reason 0
xo-suspend        fast,full,xenopsd x_suspend                     | xenopsd-style: suspend acked within xenopsd's 30 s bound, reason 2
xo-s3             fast,full,xenopsd x_s3                          | xenopsd-style: s3 logged as unknown, not acked, keeps running
xo-testing-direct fast,full,xenopsd x_testing_direct              | xenopsd-style: control/testing written by dom0 without chmod is acked
"

: "${XO_NOACK_MS:=5000}"

# xo_up: the VM under xenopsd's conventions.
xo_up() {
	vm_up
	for dir in control data attr feature; do
		xenstore-exists "$(xs_path "$dir")" || xenstore-write "$(xs_path "$dir")" ""
		xenstore-chmod "$(xs_path "$dir")" "n$DOMID"
	done
	xenstore-write "$(xs_path control/platform-feature-multiprocessor-suspend)" 1 \
		"$(xs_path control/platform-feature-xs_reset_watches)" 1
}

# kick VALUE TIMEOUT_MS: xs-kick's exit status (0 acked, 3 not acked in time).
kick() {
	k_rc=0
	xs-kick "$DOMID" "$1" "$2" >>"$SC_DIR/xs-kick.log" 2>&1 || k_rc=$?
	note "xs-kick $DOMID $1 $2 -> $k_rc"
	return "$k_rc"
}
kick_rc() { k_want=$1; shift; k_rc=0; kick "$@" || k_rc=$?; [ "$k_rc" = "$k_want" ]; }

x_poweroff() {
	xo_up
	check "remove+write poweroff acknowledged within 60 s" kick poweroff 60000
	expect_shutdown 0
	pass
}

x_retry_held() {
	xo_up
	check "override ack=none action=ignore accepted" send_ok --when onshutdown --ack none --action ignore
	check "remove+write poweroff: not acknowledged within ${XO_NOACK_MS} ms" kick_rc 3 poweroff "$XO_NOACK_MS"
	check "console logs one decision" console_has "event=decision node=control/shutdown verdict=handled ack=none"
	check "domain still running" dom_running
	check "the remove+write retry is acknowledged within 60 s" kick poweroff 60000
	expect_shutdown 0
	pass
}

x_suspend() {
	xo_up
	check "remove+write suspend acknowledged within xenopsd's 30 s" kick suspend 30000
	check "domain $DOMID suspends (reason 2)" await @releaseDomain "$SHUTDOWN_TIMEOUT" dom_shut_down
	check "Xen's shutdown reason 2 (xl list -v: $(xen_reason || echo gone))" xen_reason_is 2
	pass
}

x_s3() {
	xo_up
	check "remove+write s3: not acknowledged within ${XO_NOACK_MS} ms" kick_rc 3 s3 "$XO_NOACK_MS"
	check "console logs the rejection" await_console 'event=reject node=control/shutdown reason="unknown request \\"s3\\""' "$ACK_TIMEOUT"
	expect_running
	check "control/shutdown still holds s3" xs_is control/shutdown s3
	pass
}

x_testing_direct() {
	xo_up
	xenstore-write "$(xs_path control/testing)" '{"when":"now","ack":"ok","action":"ignore"}'
	check "control/testing acknowledged without a chmod" await_xs control/testing "" "$ACK_TIMEOUT"
	check "data/xtv/last = ok testing ..." await_xs data/xtv/last "ok testing when=now ack=ok action=ignore" "$ACK_TIMEOUT"
	pass
}
