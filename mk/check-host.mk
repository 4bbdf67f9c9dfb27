# check-host: the daemon end to end against a real xenstored on the host (no Xen, no VM).
#   tests/host/run.sh starts $(HXS_BIN) (mk/host-xenstored.mk) on a temp-dir socket and
#   $(OUT)/daemon/xtvd (target `daemon`, mk/daemon.mk) with --power=record:FILE, and prints
#   TAP plus "N passed, N failed". Logs stay in $(OUT)/check-host/.
#   Run a subset: make check-host HOST_CASES='shutdown-* bad-*'
# Needs xenstore-utils and python3 on the host (scripts/setup-deps.sh check).

HOST_CASES ?=

.PHONY: check check-host
check: check-host

# Phony prerequisites: HXS_BIN is defined by host-xenstored.mk, included after this file, so
# it is only known when the recipe runs.
check-host: daemon host-xenstored $(OUT)/lab/tools/xs-kick
	rm -rf $(OUT)/check-host
	XS_KICK=$(OUT)/lab/tools/xs-kick tests/host/run.sh --xenstored $(HXS_BIN) --xtvd $(OUT)/daemon/xtvd -o $(OUT)/check-host \
		$(HOST_CASES)
