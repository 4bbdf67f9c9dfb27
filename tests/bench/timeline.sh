#!/bin/sh
# Where the first answer's time goes, one line per traced boot (the bench's
# `bench-timeline` scenario, docs/bench-data/first-answer-timeline): every time in ms from
# just before `xl create`, in dom0's monotonic clock, except the guest kernel's own
# `/init`, which is its printk time.
#
#   parse    xl has started and reads the configuration
#   build    libxenguest: xc_dom_allocate .. xc_dom_release (of which unpack: the bzImage
#            loader tried .. its probe OK: the kernel's payload unpacked in dom0 and
#            checked as an ELF; -1 for a kernel that is not a bzImage)
#   intro    the domain introduced to xenstored (@introduceDomain, xsbench trace)
#   unpause  xl asks libxl to unpause the domain (xl -vvv, stamped by xsbench stamp)
#   xl-end   xl's last line: it has forked its monitor and exits
#   init     the guest kernel's printk time of "Run /init" (from its start)
#   ack      the guest's acknowledgement of the first testing message (xsbench first)
#   user     ack - unpause - init: init, the daemon's start, its xenstore round trips
#
# usage: timeline.sh DIR   (a scenario folder with NAME.out, NAME.xl, NAME.trace and
#                           NAME.console per boot)
set -eu
if [ $# -ne 1 ] || [ ! -d "$1" ]; then echo "usage: $0 DIR" >&2; exit 2; fi
cd "$1"
printf '%-22s %6s %6s %6s %6s %6s %6s %6s %6s %6s %6s\n' boot parse build- -build unpack \
	intro unpause xl-end init ack user
for out in *.out; do
	n=${out%.out}
	[ -f "$n.xl" ] || continue
	t0=$(sed -n 's/.* t0_ms=\([0-9.]*\).*/\1/p' "$out")
	first=$(sed -n 's/.* first_ms=\([0-9.-]*\).*/\1/p' "$out")
	# The last timestamped line: xenconsoled appends to a log that another boot of the
	# same name may have begun.
	init=$(awk -F'[][]' '/^\[ *[0-9.]+\] Run \/init/ { t = $2 } END { if (t != "") printf "%.0f", t * 1000 }' \
		"$n.console")
	awk -v t0="$t0" -v n="$n" -v first="$first" -v init="${init:--1}" '
		FILENAME ~ /\.trace$/ { if ($2 == "@introduceDomain" && $1 >= t0 && !intro) intro = $1 - t0; next }
		{ t = $1 - t0 }
		/Parsing config/ && !parse { parse = t }
		/xc_dom_allocate/ && !b0 { b0 = t }
		/xc_dom_build_image: called/ { built = 1 }
		/xc_dom_find_loader: trying/ { bz = /Linux bzImage loader/; if (bz && !m0) m0 = t }
		/loader probe failed/ { bz = 0 }
		/loader probe OK/ && bz && !z1 && !built { z1 = t }
		/xc_dom_release/ { b1 = t }
		/libxl_domain_unpause/ && !unp { unp = t }
		{ last = t }
		END {
			unpack = (m0 && z1) ? z1 - m0 : -1
			user = init >= 0 ? first - unp - init : -1
			printf "%-22s %6.0f %6.0f %6.0f %6.0f %6.0f %6.0f %6.0f %6.0f %6.0f %6.0f\n", n, parse,
				b0, b1, unpack, intro, unp, last, init, first, user
		}' "$n.trace" "$n.xl"
done | sort -t- -k2,2n
