#!/bin/sh
# Fail when an option of the config fragment did not stick in the final kernel .config
# (Kconfig silently drops options whose dependencies are not met).
#
# usage: kernel-config/check-config.sh FRAGMENT DOTCONFIG
set -eu

usage() { echo "usage: $0 FRAGMENT DOTCONFIG" >&2; exit 2; }

[ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] && usage
[ $# -eq 2 ] || usage
fragment=$1 dotconfig=$2
[ -r "$fragment" ] || { echo "check-config: cannot read $fragment" >&2; exit 2; }
[ -r "$dotconfig" ] || { echo "check-config: cannot read $dotconfig" >&2; exit 2; }

# option_holds OPTION VALUE: VALUE is "n" for "# CONFIG_X is not set", which an absent
# option (one whose dependencies hide it) also satisfies.
option_holds() {
	if [ "$2" = n ]; then
		if grep -q "^$1=" "$dotconfig"; then return 1; fi
	else
		grep -qxF "$1=$2" "$dotconfig"
	fi
}

bad=0
checked=0
# Wanted values, one "OPTION VALUE" per line, from both spellings in the fragment.
wanted=$(sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=\(.*\)$/\1 \2/p' \
	-e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1 n/p' "$fragment")
while read -r option value; do
	[ -n "$option" ] || continue
	checked=$((checked + 1))
	if ! option_holds "$option" "$value"; then
		actual=$(grep -E "^($option=|# $option is not set)" "$dotconfig" || echo "absent")
		echo "check-config: $option=$value wanted, got: $actual" >&2
		bad=$((bad + 1))
	fi
done <<EOF
$wanted
EOF

if [ "$bad" -ne 0 ]; then
	echo "check-config: $bad of $checked options of $fragment did not stick in $dotconfig" >&2
	exit 1
fi
echo "check-config: all $checked options of $fragment hold"
