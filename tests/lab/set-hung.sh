# shellcheck shell=sh
# The `hung` set (make check-lab-hung): the lab's own bounds when dom0's xenstored stops
# answering. On 29 November 2026 a daemon change made the lab's C xenstored stop answering
# every client (docs/lab.md), and the lab printed nothing until its 2400 s bound. Here a
# scenario stops xenstored itself (SIGSTOP) under a running VM and then waits on it as a
# toolstack would, with an xl command and a raw request. The runner must end that scenario
# within its bound, say that xenstored stopped, report the next scenario as not run and
# end the lab: run-lab.sh --expect-hung checks all of this from the results.
# Sourced by scenarios.sh (after the table); uses lib.sh.

SCENARIOS="$SCENARIOS
hung-xenstored    hung            t_hung_xenstored                | dom0's xenstored stops under a running VM: the runner ends the scenario and says why
hung-after        hung            t_boot                          | after xenstored stopped: reported as not run, not waited for
"

t_hung_xenstored() {
	vm_up
	check "xenstored answers before it is stopped" xenstored_answers
	kill -STOP "$(cat /run/xenstored.pid)"
	note "xenstored (pid $(cat /run/xenstored.pid)) stopped with SIGSTOP"
	check "xl shutdown ends within its bound though xenstored does not answer" xl_cmd_bounded
	request poweroff # blocks until the runner's scenario bound ends this scenario
	fail "the request to a stopped xenstored returned"
}

# xl_cmd_bounded: xl_cmd returns, with the status of a command that timeout(1) stopped.
xl_cmd_bounded() {
	b_rc=0
	xl_cmd xl-shutdown xl shutdown "$DOMID" || b_rc=$?
	case "$b_rc" in 124 | 137 | 143) true ;; *) false ;; esac
}
