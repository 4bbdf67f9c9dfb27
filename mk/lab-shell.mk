# The lab by hand: the lab's Xen + dom0 in QEMU with a root shell in dom0 on this terminal
# and the test VM ready to start (tests/lab/lab-shell.sh; README "Try it by hand").
#
#   make lab-shell        the shell; leave it with exit or Ctrl-D (Ctrl-A X quits QEMU)
#   make check-lab-shell  sessions typed into make lab-shell through tmux (tests/lab/shell-test.sh)
#   make lab-iso          the same shell as a bootable ISO (GRUB + Xen + dom0 + the VM)
#   make check-lab-iso    the ISO booted from QEMU's CD drive and used through tmux
#
# Variables: LAB_MEM (the VM's memory in every xl config, MiB; default: the lab's per guest
# type), LAB_ONLY="name ..." (lab scenarios to run before the shell), LAB_SHELL_TIMEOUT
# (bound on the QEMU run in seconds, default 0: none).

LAB_SHELL_TIMEOUT ?= 0
LAB_ISO            = $(LAB_OUT)/xen-test-vm-lab.iso
ISO_DEPS_STAMP    := $(OUT)/.stamp-deps-iso
LAB_SHELL          = LAB_CACHE=$(abspath $(LAB_CACHE)) LAB_OUT=$(abspath $(LAB_OUT)) \
	tests/lab/lab-shell.sh $(if $(LAB_MEM),-m $(LAB_MEM)) $(if $(LAB_ONLY),-n '$(LAB_ONLY)')

.PHONY: lab-shell check-lab-shell lab-iso check-lab-iso

lab-shell: lab-deps image
	$(LAB_SHELL) -T $(LAB_SHELL_TIMEOUT)

# Not in `check`: each boots the lab again (about 3 minutes, 2 for the ISO); docs/lab.md.
check-lab-shell: lab-deps image
	tests/lab/shell-test.sh -o $(LAB_RESULTS)-shell-test

# GRUB and xorriso only for the ISO, not for every build.
$(ISO_DEPS_STAMP): scripts/setup-deps.sh
	scripts/setup-deps.sh iso
	@mkdir -p $(@D) && touch $@

lab-iso: lab-deps image $(ISO_DEPS_STAMP)
	$(LAB_SHELL) --iso $(LAB_ISO)

check-lab-iso: lab-iso
	tests/lab/shell-test.sh -o $(LAB_RESULTS)-iso-test -r iso -I $(abspath $(LAB_ISO))
