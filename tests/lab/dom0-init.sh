#!/bin/sh
# PID 1 of the lab's dom0: load the Xen drivers, start the C xenstored and xenconsoled,
# run the scenario runner (or the lab shell's session), write the results as a tar to the
# raw results disk (/dev/vda) and power the (emulated) machine off. The host side is
# tests/lab/run-lab.sh (and tests/lab/lab-shell.sh).
set -u
export PATH=/usr/bin:/bin:/sbin:/usr/sbin:/usr/lib/xen-4.17/bin

log() { echo "lab-dom0: $*"; }

mount_basics() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	mkdir -p /dev/pts /dev/shm
	mount -t devpts devpts /dev/pts
	mount -t tmpfs tmpfs /run
	mkdir -p /run/xen /run/xenstored /var/log/xen/console
}

load_modules() {
	while read -r mod; do
		insmod "$mod" || log "insmod $mod failed"
	done </etc/lab-modules
	mkdir -p /proc/xen
	mount -t xenfs xenfs /proc/xen
}

# await_crng: dom0's random number generator, fed by the machine's virtio-rng (qemu.sh),
# is ready before any scenario runs: until it is, every `xl create` took about 3 s more,
# which made the first minutes of a lab slower than the rest. A read of /dev/random blocks
# until then; bounded, and logged with the time it took.
await_crng() {
	if timeout 60 dd if=/dev/random of=/dev/null bs=1 count=1 2>/dev/null; then
		log "crng ready at $(cut -d' ' -f1 /proc/uptime)s"
	else
		log "crng not ready after 60 s: xl create will be slow"
	fi
}

# start_xen_daemons: C xenstored (not oxenstored), dom0's own nodes, xenconsoled keeping
# every guest's console in /var/log/xen/console/guest-NAME.log.
start_xen_daemons() {
	xenstored --pid-file /run/xenstored.pid || return 1
	timeout 20 xen-init-dom0 >/dev/null || return 1
	xenconsoled --pid-file=/run/xen/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console ||
		return 1
}

# save_results: the results folder as a tar at the start of the raw results disk.
save_results() {
	i=0
	while [ ! -b /dev/vda ] && [ "$i" -lt 50 ]; do
		# The virtio disk appears asynchronously after insmod; bounded wait (5 s).
		sleep 0.1
		i=$((i + 1))
	done
	if [ -b /dev/vda ]; then
		tar -C / -cf /dev/vda results && sync && log "results written to /dev/vda"
	else
		log "no results disk"
	fi
}

mount_basics
log "dom0 up: $(uname -r), $(cut -d' ' -f1 /proc/uptime)s"
load_modules
await_crng
if start_xen_daemons; then
	log "xenstored and xenconsoled running"
	# An interactive session (make lab-shell: tests/lab/shell-session.sh) takes the
	# runner's place when the payload has one.
	if [ -f /lab/session ]; then sh /lab/session /results; else sh /lab/runner.sh /results; fi
	echo "$?" >/results/runner.rc
	# dom0's kernel log: a dom0 process killed by a fault shows there ("segfault at").
	dmesg >/results/dom0-dmesg.log 2>&1
else
	log "xen daemons failed to start"
	echo 125 >/results/runner.rc
fi
save_results
log "powering off"
poweroff -f
