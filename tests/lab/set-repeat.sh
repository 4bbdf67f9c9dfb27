# shellcheck shell=sh
# The `repeat` set (docs/lab.md, "Hunting an intermittent failure"): REPEAT_N runs of one
# scenario of the table, REPEAT_NAME, named NAME-1 ... NAME-N, so that a failure seen once
# in tens of runs shows its rate. `-j 2` runs two side by side, which loads dom0 and the
# host more. After each failure the runner's sysrq dump says where the guest waited.
#   tests/lab/run-lab.sh -s repeat -V REPEAT_NAME=kernel-owns-shutdown -V REPEAT_N=40 -j 2
# Sourced by scenarios.sh (after the table); uses lib.sh.

: "${REPEAT_NAME:=kernel-owns-shutdown}" "${REPEAT_N:=40}"

# repeat_entries: REPEAT_N table rows running REPEAT_NAME's command, none if it is unknown.
repeat_entries() {
	r_cmd=$(echo "$SCENARIOS" | awk -v n="$REPEAT_NAME" '$1 == n {
		sub(/^[ \t]*[^ \t]+[ \t]+[^ \t]+[ \t]+/, ""); sub(/[ \t]*\|.*$/, ""); print; exit }')
	[ -n "$r_cmd" ] || return 0
	r_i=1
	while [ "$r_i" -le "$REPEAT_N" ]; do
		echo "$REPEAT_NAME-$r_i repeat $r_cmd | $REPEAT_NAME, run $r_i of $REPEAT_N"
		r_i=$((r_i + 1))
	done
}

SCENARIOS="$SCENARIOS
$(repeat_entries)
"
