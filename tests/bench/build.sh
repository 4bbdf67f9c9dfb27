#!/bin/sh
# Build benchmarks (docs/benchmarks.md): a clean `make image` into a fresh OUT, a no-op
# rebuild of the same OUT, a second clean build into another OUT, and a byte comparison of
# the two images. The source cache (cache/src) is shared: fetching is not timed.
#
# usage: tests/bench/build.sh [-o RESULTS]    (writes RESULTS/build.tsv and build-*.log)
set -eu

RESULTS=results/bench-build
while getopts o:h opt; do
	case "$opt" in
	o) RESULTS=$OPTARG ;;
	*) echo "usage: $0 [-o RESULTS]" >&2; exit 2 ;;
	esac
done
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
mkdir -p "$RESULTS"
A=out/bench-build/a B=out/bench-build/b
# Both builds must see the same SOURCE_DATE_EPOCH even if someone commits in between.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
export SOURCE_DATE_EPOCH

ms() { echo $(($(date +%s%N) / 1000000)); }

# timed NAME OUT: make OUT=OUT image, its wall time in ms on stdout, log in RESULTS.
timed() {
	t0=$(ms)
	make OUT="$2" image >"$RESULTS/build-$1.log" 2>&1 || {
		echo "build.sh: make OUT=$2 image failed, see $RESULTS/build-$1.log" >&2
		return 1
	}
	echo $(($(ms) - t0))
}

rm -rf "$A" "$B"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
clean=$(timed clean "$A")
noop=$(timed noop "$A")
load1=$(cut -d' ' -f1-3 /proc/loadavg)
clean2=$(timed clean2 "$B")
load2=$(cut -d' ' -f1-3 /proc/loadavg)

same=""
differ=""
for f in vmlinuz initrd.img initrd-debug.img; do
	if cmp -s "$A/image/$f" "$B/image/$f"; then same="$same $f"; else differ="$differ $f"; fi
done
# Where the difference comes from, component by component.
for f in kernel/bzImage init/init daemon/xtvd musl/lib/libxenstore.a musl/lib/libjson-c.a; do
	if cmp -s "$A/$f" "$B/$f"; then echo "same $f"; else echo "differs $f"; fi
done >"$RESULTS/components.txt"

{
	printf 'clean_ms\tnoop_ms\tclean2_ms\tidentical\tdiffer\tload_before\tload_mid\tload_after\tepoch\n'
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$clean" "$noop" "$clean2" "${same# }" "${differ# }" \
		"$load0" "$load1" "$load2" "$SOURCE_DATE_EPOCH"
} >"$RESULTS/build.tsv"
cat "$RESULTS/build.tsv" "$RESULTS/components.txt"
