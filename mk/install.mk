# check-install: install/xenserver-install.sh against a recording ssh/scp/xe stand-in
# (tests/install/), plus shellcheck on every shell script in install/, tests/, scripts/,
# kernel-config/, .ci/ and mkimage.sh. Needs no Xen and no host: the stand-in is a test double, not xapi.
#   make check-install     last line "N passed, N failed"; fails on any failure

.PHONY: check check-install
check: check-install

# The stamp: shellcheck comes with the check packages (scripts/setup-deps.sh).
check-install: | $(DEPS_STAMP)
	tests/install/run.sh
