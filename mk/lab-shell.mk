# The lab by hand: the lab's Xen + dom0 in QEMU with a root shell in dom0 on this terminal
# and the test VM ready to start (tests/lab/lab-shell.sh; README "Try it by hand").
#
#   make lab-shell        the shell; leave it with exit or Ctrl-D (Ctrl-A X quits QEMU)
#   make check-lab-shell  a person's session driven through tmux (tests/lab/shell-test.sh)
#
# Variables: LAB_MEM (the VM's memory in its xl config, MiB), LAB_ONLY="name ..." (lab
# scenarios to run before the shell), LAB_SHELL_TIMEOUT (bound on the QEMU run in seconds,
# default 0: none).

LAB_SHELL_TIMEOUT ?= 0

.PHONY: lab-shell check-lab-shell

lab-shell: lab-deps image
	LAB_CACHE=$(abspath $(LAB_CACHE)) LAB_OUT=$(abspath $(LAB_OUT)) tests/lab/lab-shell.sh \
		-m $(LAB_MEM) -T $(LAB_SHELL_TIMEOUT) $(if $(LAB_ONLY),-n '$(LAB_ONLY)')

# Not in `check`: it boots the lab once more (a few minutes); see docs/lab.md.
check-lab-shell: lab-deps image
	tests/lab/shell-test.sh -o $(LAB_RESULTS)-shell-test
