# shellcheck shell=sh
# The lab's scenarios. Each is one line of SCENARIOS:
#   NAME  SETS  FUNCTION ARGS... | one-line purpose
# SETS: comma-separated sets it belongs to (fast = `make check-lab`, full = everything,
# stub = bring-up with Debian's stock kernel and no daemon). Functions are t_*, built from
# lib.sh; reasons are Xen's: 0 poweroff, 1 reboot, 2 suspend, 3 crash.
# shellcheck disable=SC2317,SC2329 # functions are called through the table

# shellcheck disable=SC2034 # read by runner.sh
SCENARIOS='
boot              fast,full       t_boot                          | guest logs its domid and sets data/xtv/ready = 1
stub-boot         stub            t_stub_boot                     | stock kernel guest comes up (lab bring-up)
stub-xl-shutdown  stub            t_xl_cmd shutdown 0 ""          | stock kernel: xl shutdown, reason 0
stub-xl-reboot    stub            t_xl_cmd reboot 1 ""            | stock kernel: xl reboot, reason 1
xl-shutdown       fast,full       t_xl_cmd shutdown 0 ""          | xl shutdown: acked "", reason 0
xl-reboot         fast,full       t_xl_cmd reboot 1 ""            | xl reboot: acked "", reason 1
req-poweroff      fast,full       t_request poweroff 0            | raw control/shutdown=poweroff: acked, reason 0
req-reboot        fast,full       t_request reboot 1              | raw control/shutdown=reboot: acked, reason 1
req-halt          fast,full       t_request halt 0                | raw control/shutdown=halt: acked, reason 0
req-crash         fast,full       t_request crash 3               | raw control/shutdown=crash: acked, reason 3
req-unknown       fast,full       t_request_unknown               | unknown control/shutdown value: logged, not acked, keeps running
now-poweroff      fast,full       t_now poweroff 0                | testing now poweroff: reason 0
now-reboot        fast,full       t_now reboot 1                  | testing now reboot: reason 1
now-halt          fast,full       t_now halt 0                    | testing now halt: reason 0
now-crash         fast,full       t_now crash 3                   | testing now crash: reason 3
now-suspend       fast,full       t_now suspend 2                 | testing now suspend: the domain reaches reason 2
now-ignore        fast,full       t_now ignore -                  | testing now ignore: acked, nothing happens
next-ok-reboot    fast,full       t_next ok reboot poweroff 1     | onshutdown ack=ok action=reboot, poweroff requested: reason 1
next-ok-poweroff  full            t_next ok poweroff reboot 0     | onshutdown ack=ok action=poweroff, reboot requested: reason 0
next-ok-ignore    fast,full       t_next ok ignore poweroff -     | onshutdown ack=ok action=ignore: acked, keeps running
next-ok-crash     full            t_next ok crash poweroff 3      | onshutdown ack=ok action=crash: reason 3
next-ok-suspend   full            t_next ok suspend reboot 2      | onshutdown ack=ok action=suspend: reason 2
next-none-poweroff fast,full      t_next none poweroff poweroff 0 | onshutdown ack=none: request left in place, reason 0
next-none-ignore  fast,full       t_next none ignore poweroff -   | onshutdown ack=none action=ignore: request stays, keeps running
next-none-reboot  full            t_next none reboot halt 1       | onshutdown ack=none action=reboot: reason 1
next-delete-poweroff fast,full    t_next delete poweroff reboot 0 | onshutdown ack=delete: node removed, reason 0
next-delete-ignore fast,full      t_next delete ignore poweroff - | onshutdown ack=delete action=ignore: node removed, keeps running
next-delete-crash full            t_next delete crash poweroff 3  | onshutdown ack=delete action=crash: node removed, reason 3
next-string-halt  fast,full       t_next xtv-acked halt poweroff 0 | onshutdown custom ack string: string written, reason 0
next-string-ignore fast,full      t_next xtv-acked ignore poweroff - | onshutdown custom ack + ignore: string stays, keeps running
next-xl-reboot    full            t_next_xl ok poweroff reboot 0  | xl reboot overridden to poweroff: xl succeeds, reason 0
legacy-now-reboot fast,full       t_legacy_now                    | legacy now:reboot: reason 1
legacy-next-poweroff fast,full    t_legacy_next                   | legacy next:poweroff then reboot requested: acked, reason 0
bad-input         fast,full       t_bad_input                     | malformed messages rejected (status + console), next valid one works
xl-ack-timeout    full            t_xl_timeout                    | ack=none: xl shutdown reports the guest did not acknowledge
xl-timeout-retry  fast,full       t_xl_timeout_retry              | ack=none: xl shutdown times out; xl shutdown again is honoured, reason 0
testing-chmod-late fast,full      t_testing_chmod_late            | control/testing written dom0-only, chmod-ed after the refused ack: acked then, acted on once
suspend-cancelled-unread fast,full t_suspend_cancelled_unread     | paused: suspend written, then "" (libxl cancelling): no suspend after unpause
request-after-delete fast,full    t_request_after_delete          | ack=delete, then requests in the node dom0 recreates: ack refused loudly, the same request written again carried out
debug-initrd      fast,full       t_debug_initrd                  | the debug initrd in its documented memory: shell on the console runs a typed command, daemon answers
kernel-owns-shutdown fast,full    t_kernel_owns_shutdown          | booted with xen.userspace_shutdown=0: daemon says so, kernel answers xl shutdown
no-userspace-param fast,full      t_no_userspace_param            | booted without xen.userspace_shutdown: the kernel build default leaves control/shutdown to the daemon
save-restore      fast,full       t_save_restore 1                | xl save + restore: new domid logged, daemon answers afterwards
save-restore-x3   fast,full       t_save_restore 3                | three save/restore cycles in a row
save-restore-x5   full            t_save_restore 5                | five save/restore cycles in a row
save-checkpoint   fast,full       t_save_checkpoint               | xl save -c: same domain resumes (cancelled), daemon answers
xenbus-pipeline   fast,full       t_xenbus_pipeline               | kernel (patch 0006): reads written back to back on /dev/xen/xenbus each get their own reply
mem-floor         floor           t_mem_floor                     | the smallest memory (MiB) at which the VM boots and answers
demo              demo            t_demo                          | the VM obeys a testing message (make demo)
'

# --- boot ------------------------------------------------------------------------------

# threads_max_ok: init's line "init: event=threads-max was=W now=N" says N >= 64 (the
# kernel sizes it from the RAM: 26 at 9 MiB; docs/kernel.md "Threads").
threads_max_line() { grep -m 1 -o 'init: event=threads-max was=[0-9]* now=[0-9]*' "$(console_log)" 2>/dev/null; }
threads_max_ok() {
	n=$(threads_max_line | sed 's/.* now=//')
	[ -n "$n" ] && [ "$n" -ge 64 ]
}

t_boot() {
	check "xl create $DOM" vm_start
	check "guest ready ($READY_NODE = 1) within ${BOOT_TIMEOUT}s" vm_ready
	check "console logs domid=$DOMID" console_has "domid=$DOMID"
	check "init left kernel.threads-max at 64 or more ($(threads_max_line))" threads_max_ok
	check "data/xtv/domid = $DOMID" xs_is data/xtv/domid "$DOMID"
	check "control/feature-poweroff = 1" xs_is control/feature-poweroff 1
	check "domain running" dom_running
	pass
}

t_stub_boot() {
	check "xl create $DOM" vm_start
	check "stock kernel wrote $READY_NODE within ${BOOT_TIMEOUT}s" vm_ready
	check "console shows the stub's init" await_console "xtv-stub: up" "$BOOT_TIMEOUT"
	pass
}

# --- toolstack requests ----------------------------------------------------------------

# t_xl_cmd shutdown|reboot REASON: xl's own command waits for the guest's ack ("").
t_xl_cmd() {
	vm_up
	check "xl $1 $DOMID succeeds (guest acknowledged)" xl_cmd "xl-$1" xl "$1" "$DOMID"
	expect_shutdown "$2"
	check "control/shutdown acked (\"\")" xs_is control/shutdown ""
	pass
}

# t_request VALUE REASON: a raw xenstore write, as any toolstack would do it.
t_request() {
	vm_up
	request "$1"
	check "control/shutdown acked (\"\") within ${ACK_TIMEOUT}s" await_xs control/shutdown "" "$ACK_TIMEOUT"
	expect_shutdown "$2"
	pass
}

t_request_unknown() {
	vm_up
	request bogus-request
	check "console logs the rejection" await_console 'event=reject node=control/shutdown' "$ACK_TIMEOUT"
	check "data/xtv/last reports it" await_xs data/xtv/last 'rejected shutdown: unknown request "bogus-request"' "$ACK_TIMEOUT"
	expect_running
	check "control/shutdown not acked (still bogus-request)" xs_is control/shutdown bogus-request
	pass
}

# --- testing messages ------------------------------------------------------------------

# t_now ACTION REASON|-: `when=now`; - = the domain must keep running.
t_now() {
	vm_up
	check "xtv-send now $1 accepted" send_ok --when now --action "$1"
	if [ "$2" = - ]; then
		check "data/xtv/last = ok testing when=now ..." xs_is data/xtv/last "ok testing when=now ack=ok action=$1"
		expect_running
	else
		expect_shutdown "$2"
	fi
	pass
}

# expect_ack_mode ACK REQUEST: what control/shutdown holds after an override with ACK.
expect_ack_mode() {
	case "$1" in
	ok) check "control/shutdown acked (\"\")" await_xs control/shutdown "" "$ACK_TIMEOUT" ;;
	none) check "control/shutdown still holds $2" xs_is control/shutdown "$2" ;;
	delete) check "control/shutdown removed" await "$(xs_path control/shutdown)" "$ACK_TIMEOUT" xs_absent control/shutdown ;;
	*) check "control/shutdown holds the ack string $1" await_xs control/shutdown "$1" "$ACK_TIMEOUT" ;;
	esac
}

# t_next ACK ACTION REQUEST REASON|-: arm an override, then request REQUEST (raw write).
t_next() {
	vm_up
	check "xtv-send onshutdown ack=$1 action=$2 accepted" send_ok --when onshutdown --ack "$1" --action "$2"
	check "data/xtv/pending holds the override" xs_is data/xtv/pending "{\"when\":\"onshutdown\",\"ack\":\"$1\",\"action\":\"$2\"}"
	request "$3"
	check "console logs the decision" await_console "event=decision node=control/shutdown" "$ACK_TIMEOUT"
	if [ "$4" = - ]; then
		expect_running
		expect_ack_mode "$1" "$3"
		check "override consumed (data/xtv/pending empty)" xs_is data/xtv/pending ""
	else
		expect_shutdown "$4"
		expect_ack_mode "$1" "$3"
	fi
	pass
}

# t_next_xl ACK ACTION XLCMD REASON: the request comes from xl itself.
t_next_xl() {
	vm_up
	check "xtv-send onshutdown ack=$1 action=$2 accepted" send_ok --when onshutdown --ack "$1" --action "$2"
	check "xl $3 succeeds" xl_cmd "xl-$3" xl "$3" "$DOMID"
	expect_shutdown "$4"
	pass
}

t_legacy_now() {
	vm_up
	check "now:reboot accepted" send_ok now:reboot
	expect_shutdown 1
	pass
}

t_legacy_next() {
	vm_up
	check "next:poweroff accepted" send_ok next:poweroff
	request reboot
	expect_shutdown 0
	check "control/shutdown acked (\"\")" xs_is control/shutdown ""
	pass
}

t_bad_input() {
	vm_up
	for m in 'Now:reboot' 'now:dance' '[1]' \
		'{"when":"now","ack":"ok"}' \
		'{"when":"now","ack":"ok","action":"reboot","ack":"x"}' \
		'{"when":"later","ack":"ok","action":"reboot"}' \
		'{"when":"onshutdown","ack":"poweroff","action":"ignore"}' \
		'{"when":"now","ack":"ok","action":"reboot"} trailing'; do
		check "rejected: $m" send_rc 1 --no-validate "$m"
		check "status says rejected: $m" xs_like data/xtv/last 'rejected testing:*'
	done
	check "console logs rejections" console_has 'event=reject node=control/testing'
	check "no override armed by bad input" xs_is data/xtv/pending ""
	check "domain still running" dom_running
	check "a valid message is accepted afterwards" send_ok --when now --action ignore
	check "data/xtv/last = ok testing ..." xs_is data/xtv/last "ok testing when=now ack=ok action=ignore"
	check "xtv-send refuses an invalid message itself (exit 2)" send_rc 2 '{"when":"now"}'
	pass
}

# xs_like KEY GLOB: the value matches the shell pattern GLOB.
# shellcheck disable=SC2254 # GLOB is a pattern on purpose
xs_like() { v=$(xs_read "$1") || return 1; case "$v" in $2) true ;; *) false ;; esac; }

# xl's own guard: with ack=none + ignore, xl shutdown waits 60 s for the ack and fails.
t_xl_timeout() {
	vm_up
	check "override ack=none action=ignore accepted" send_ok --when onshutdown --ack none --action ignore
	check "xl shutdown fails (no acknowledgement)" not xl_cmd xl-shutdown xl shutdown "$DOMID"
	check "xl reports the missing acknowledgement" grep -q "didn't acknowledge" "$SC_DIR/xl-shutdown.log"
	check "control/shutdown still holds poweroff" xs_is control/shutdown poweroff
	check "domain still running" dom_running
	pass
}

not() { ! "$@"; }

# Issue 8, item 1: the retry after xl's 60 s ack timeout writes the same value again; that
# write is a new request, acknowledged and carried out.
t_xl_timeout_retry() {
	vm_up
	check "override ack=none action=ignore accepted" send_ok --when onshutdown --ack none --action ignore
	check "xl shutdown fails (no acknowledgement)" not xl_cmd xl-shutdown xl shutdown "$DOMID"
	check "control/shutdown still holds poweroff" xs_is control/shutdown poweroff
	check "domain still running" dom_running
	check "xl shutdown again succeeds (guest acknowledged the retry)" xl_cmd xl-shutdown-2 xl shutdown "$DOMID"
	expect_shutdown 0
	check "control/shutdown acked (\"\")" xs_is control/shutdown ""
	pass
}

# write_dom0_only KEY VALUE: a node the guest can read but not write (under xl control/ is
# dom0's, and a new node inherits that).
write_dom0_only() { xenstore-write "$(xs_path "$1")" "$2"; }

# Issue 8, item 2: README's order under xl is write, then chmod. The daemon reads the
# message before the chmod (awaited on its refused ack), acts on it once, and writes the
# owed ack when the chmod fires its watch.
t_testing_chmod_late() {
	vm_up
	write_dom0_only control/testing '{"when":"onshutdown","ack":"ok","action":"reboot"}'
	check "console logs the refused ack (errno 13)" \
		await_console "event=ack node=control/testing mode=ok result=error errno=13" "$ACK_TIMEOUT"
	check "the override is armed once the message is read" \
		await_xs data/xtv/pending '{"when":"onshutdown","ack":"ok","action":"reboot"}' "$ACK_TIMEOUT"
	xenstore-chmod "$(xs_path control/testing)" "n$DOMID"
	check "the chmod's event: control/testing acked (\"\")" await_xs control/testing "" "$ACK_TIMEOUT"
	check "console logs the owed ack" console_has "event=ack node=control/testing mode=ok result=ok owed=1"
	check "data/xtv/handled counts the message once" xs_is data/xtv/handled 1
	check "xl shutdown succeeds" xl_cmd xl-shutdown xl shutdown "$DOMID"
	expect_shutdown 1
	pass
}

# Issue 8, item 3: libxl cancels a suspend it gave up on by writing "". The guest (paused
# meanwhile) must not suspend for a value the node no longer holds.
t_suspend_cancelled_unread() {
	vm_up
	check "xl pause" xl_cmd xl-pause xl pause "$DOMID"
	request suspend
	request ""
	check "xl unpause" xl_cmd xl-unpause xl unpause "$DOMID"
	check "daemon answers a message after the unpause" send_ok --when now --action ignore
	expect_running
	check "no suspend on the console" not console_has "event=action action=suspend"
	check "control/shutdown is \"\"" xs_is control/shutdown ""
	pass
}

# Issue 8, item 8: after ack=delete the next request recreates control/shutdown owned by dom0
# (as libxl's next write does): the guest cannot ack it. It says so and carries it out. An
# override (action ignore) keeps the domain up through that first refused ack; the same
# request written again over the ack still owed is a request too, carried out.
t_request_after_delete() {
	vm_up
	check "override ack=delete action=ignore accepted" send_ok --when onshutdown --ack delete --action ignore
	request reboot
	check "control/shutdown removed" await "$(xs_path control/shutdown)" "$ACK_TIMEOUT" xs_absent control/shutdown
	check "domain still running" dom_running
	check "override ack=ok action=ignore accepted" send_ok --when onshutdown --ack ok --action ignore
	request poweroff
	check "console logs the refused ack with a hint" \
		await_console "event=ack node=control/shutdown mode=ok result=error errno=13 hint=" "$ACK_TIMEOUT"
	check "the override was used up ($(xs_read data/xtv/pending))" xs_is data/xtv/pending ""
	check "domain still running" dom_running
	request poweroff
	expect_shutdown 0
	check "control/shutdown still holds poweroff (not writable by the guest)" xs_is control/shutdown poweroff
	pass
}

# Issue 8, item 4: booted with xen.userspace_shutdown=0 the kernel answers control/shutdown.
# The daemon must say so and stay out of it (no race); onshutdown overrides are refused.
t_kernel_owns_shutdown() {
	XTV_EXTRA="console=hvc0 xen.userspace_shutdown=0"
	vm_up
	check "console logs the ownership error" console_has "event=error op=ownership owner=kernel"
	check "data/xtv/shutdown-owner = kernel" xs_is data/xtv/shutdown-owner kernel
	check "onshutdown override rejected (xtv-send exit 1)" send_rc 1 --when onshutdown --ack none --action ignore
	check "now ignore still accepted" send_ok --when now --action ignore
	check "xl shutdown succeeds (the kernel acknowledges)" xl_cmd xl-shutdown xl shutdown "$DOMID"
	expect_shutdown 0
	check "the daemon never saw control/shutdown" not console_has "event=message node=control/shutdown"
	pass
}

# A hand-written xl.cfg without the parameter: the kernel's build-time default
# (CONFIG_XEN_USERSPACE_SHUTDOWN_DEFAULT in the fragment) leaves control/shutdown to the daemon.
t_no_userspace_param() {
	XTV_EXTRA="console=hvc0"
	vm_up
	check "data/xtv/shutdown-owner = daemon" xs_is data/xtv/shutdown-owner daemon
	check "onshutdown ack=ok action=reboot accepted" send_ok --when onshutdown --ack ok --action reboot
	check "xl shutdown succeeds" xl_cmd xl-shutdown xl shutdown "$DOMID"
	expect_shutdown 1
	pass
}

# --- suspend ---------------------------------------------------------------------------

# t_save_restore N: N cycles of xl save / xl restore; each restored daemon must answer.
t_save_restore() {
	vm_up
	i=1
	while [ "$i" -le "$1" ]; do
		old=$DOMID
		check "cycle $i: xl save $old" xl_cmd "xl-save-$i" xl save "$old" "$SC_DIR/save.img"
		check "cycle $i: domain $old gone after save" dom_gone
		check "cycle $i: monitoring xl saw the suspend" xl_exited
		check "cycle $i: xl restore" xl_monitor xl restore -F "$SC_DIR/save.img"
		check "cycle $i: new domid ($old -> $DOMID)" [ "$DOMID" != "$old" ]
		check "cycle $i: console logs the resume in domid $DOMID" \
			await_console "event=resume outcome=resumed domid=$DOMID" "$BOOT_TIMEOUT"
		check "cycle $i: data/xtv/domid = $DOMID" await_xs data/xtv/domid "$DOMID" "$ACK_TIMEOUT"
		check "cycle $i: data/xtv/ready = 1 in the new domain" await_xs data/xtv/ready 1 "$ACK_TIMEOUT"
		check "cycle $i: control/feature-suspend = 1 again" xs_is control/feature-suspend 1
		check "cycle $i: daemon answers a new message" send_ok --when now --action ignore
		i=$((i + 1))
	done
	rm -f "$SC_DIR/save.img"
	check "restored domain still obeys xl shutdown" xl_cmd xl-shutdown xl shutdown "$DOMID"
	expect_shutdown 0
	pass
}

t_save_checkpoint() {
	vm_up
	old=$DOMID
	check "xl save -c $DOMID" xl_cmd xl-save xl save -c "$DOMID" "$SC_DIR/save.img"
	rm -f "$SC_DIR/save.img"
	# xl create -F stops monitoring once the domain suspends, even when it resumes.
	check "monitoring xl saw the suspend and exited" xl_exited
	check "xl create -F reported the suspend (reason 2)" reason_is 2
	XL_PID=""
	check "console logs the cancelled suspend" await_console "event=resume outcome=cancelled" "$BOOT_TIMEOUT"
	check "same domain still running" dom_running
	check "data/xtv/domid unchanged" xs_is data/xtv/domid "$old"
	check "daemon answers a new message" send_ok --when now --action ignore
	check "xl shutdown still works" xl_cmd xl-shutdown xl shutdown "$DOMID"
	expect_shutdown 0
	pass
}

# --- demo (make demo) ------------------------------------------------------------------

say() { echo "demo: $*" >/dev/console; }
show_console() { sed 's/^/demo:   vm| /' "$(console_log)" >/dev/console 2>/dev/null || true; }

t_demo() {
	say "starting the test VM ($XTV_MEM MiB) with xl create -F"
	vm_up
	say "domain $DOM is domid $DOMID; its console so far:"
	show_console
	say "tester: xtv-send $DOMID --when onshutdown --ack ok --action reboot"
	: >"$SC_DIR/xtv-send.log"
	check "message accepted" send_ok --when onshutdown --ack ok --action reboot
	sed 's/^/demo:   /' "$SC_DIR/xtv-send.log" >/dev/console
	say "toolstack: xl shutdown $DOMID (asks for poweroff; the VM was told to reboot instead)"
	check "xl shutdown succeeds" xl_cmd xl-shutdown xl shutdown "$DOMID"
	expect_shutdown 1
	say "xl create -F reported:"
	grep -E 'shut down|Action' "$XL_LOG" | sed 's/^/demo:   xl| /' >/dev/console
	say "the VM's console:"
	show_console
	pass
}

# --- the debug initrd ------------------------------------------------------------------

# t_debug_initrd: initrd-debug.img as shipped boots in the memory it is documented to need
# (DEBUG_MEM, DEBUG_MEM_PVH as PVH; lib.sh): init starts the daemon and, for `debug` on the
# command line, BusyBox's shell on hvc0; a command typed into the console (dom0 writes to
# the pty named in console/tty, as `xl console` does) runs; the daemon answers; xl shutdown
# works. A debug initrd the builder or the kernel cannot fit in that memory fails here.
t_debug_initrd() {
	need "the debug initrd in dom0 ($XTV_DEBUG_RAMDISK)" [ -f "$XTV_DEBUG_RAMDISK" ]
	XTV_RAMDISK=$XTV_DEBUG_RAMDISK
	XTV_EXTRA="$XTV_EXTRA debug"
	vm_up "$(debug_mem)"
	check "console logs domid=$DOMID" console_has "domid=$DOMID"
	check "init started the shell" await_console 'init: event=spawn name=sh' 30
	check "the shell printed its banner" await_console "Enter 'help'" 30
	# The guest's shell computes 42: the tty's echo of the typed line cannot match.
	# shellcheck disable=SC2016 # expanded by the guest's shell, not here
	check "the shell ran a command typed on the console" shell_runs 'echo debug-$((6 * 7))' '^debug-42'
	check "daemon answers" send_ok --when now --action ignore
	check "xl shutdown" xl_cmd xl-shutdown xl shutdown "$DOMID"
	expect_shutdown 0
	pass
}

# shell_runs LINE PATTERN: type LINE into the guest's console until a console line matches
# PATTERN (at most 6 tries, 5 s each). The shell may not be reading yet when the banner is
# out (its line editor asks the terminal for the cursor position first), and what is typed
# before it reads can be lost; a second copy of LINE does no harm.
shell_runs() {
	sr_tty=$(xs_read console/tty)
	[ -c "$sr_tty" ] || return 1
	sr_try=0
	while [ "$sr_try" -lt 6 ]; do
		printf '%s\n' "$1" >"$sr_tty"
		await_console "$2" 5 && return 0
		sr_try=$((sr_try + 1))
	done
	return 1
}

# --- the kernel's xenbus device ----------------------------------------------------------

# t_xenbus_pipeline: the VM's kernel and initrd with a guest program in the daemon's place
# (tests/lab/tools/xenbus-pipeline.c, in dom0's /usr/bin) that writes pairs of reads on
# /dev/xen/xenbus back to back before it reads their replies, and logs how many pairs
# came back intact. Linux 6.1 without patch 0006 sends the first of each pair with the
# second one's payload (docs/kernel.md, "0006: pipelined requests on /dev/xen/xenbus").
t_xenbus_pipeline() {
	need "initrd with the pipelining check as /sbin/xtvd" pipeline_initrd
	XTV_RAMDISK=$SC_DIR/initrd
	check "xl create $DOM" vm_start
	check "the check reports within ${BOOT_TIMEOUT}s" \
		await_console "xenbus-pipeline: rounds=" "$BOOT_TIMEOUT"
	check "every reply carried its own request's value ($(pipeline_result))" pipeline_intact
	pass
}

# pipeline_initrd: SC_DIR/initrd, the initrd under test followed by a cpio whose
# /sbin/xtvd is the check (a later member wins, as in tests/lab/mkbroken.sh).
pipeline_initrd() {
	mkdir -p "$SC_DIR/root/sbin" &&
		cp /usr/bin/xenbus-pipeline "$SC_DIR/root/sbin/xtvd" &&
		(cd "$SC_DIR/root" && printf 'sbin\nsbin/xtvd\n' | cpio -o -H newc >../check.cpio 2>/dev/null) &&
		gzip -n "$SC_DIR/check.cpio" &&
		cat "$XTV_RAMDISK" "$SC_DIR/check.cpio.gz" >"$SC_DIR/initrd" &&
		rm -r "$SC_DIR/root" "$SC_DIR/check.cpio.gz"
}
pipeline_result() { grep -m 1 -o 'xenbus-pipeline: rounds=.*' "$(console_log)" 2>/dev/null | tr -d '\r'; }
pipeline_intact() {
	r=$(pipeline_result | sed -n 's/.* rounds=\([0-9]*\) intact=\([0-9]*\) wrong=0$/\1 \2/p')
	[ -n "$r" ] && [ "${r% *}" = "${r#* }" ] && [ "${r% *}" -gt 0 ]
}

# --- extra sets ------------------------------------------------------------------------
# tests/lab/set-*.sh (copied next to this file by run-lab.sh) append to SCENARIOS.
for set_file in "$(dirname "$0")"/set-*.sh; do
	# shellcheck source=/dev/null
	if [ -f "$set_file" ]; then . "$set_file"; fi
done

# --- memory floor (make lab-floor) ------------------------------------------------------

# t_mem_floor: boot at MEM_CANDIDATES MiB (ascending) until the VM is ready and accepts a
# message; the first size that works is the floor, written to SC_DIR/floor.
t_mem_floor() {
	for m in ${MEM_CANDIDATES:-8 9 10 11 12 16 20 24 32 64}; do
		DOM=xtv-mem-$m
		if vm_start "$m" && vm_ready && send_ok --when now --action ignore; then
			note "memory $m MiB: boots and answers"
			echo "$m" >"$SC_DIR/floor"
			cleanup_domains
			pass "floor ${m} MiB"
		fi
		note "memory $m MiB: does not work ($(dom_diagnosis))"
		cleanup_domains
	done
	fail "the VM did not boot with any of ${MEM_CANDIDATES:-8 9 10 11 12 16 20 24 32 64} MiB"
}
