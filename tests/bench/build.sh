#!/bin/sh
# Build benchmarks (docs/benchmarks.md). The sources are frozen first (`git archive HEAD`
# into RESULTS/../src: edits in the working tree during the run cannot leak in), then:
# a clean `make image` into a fresh OUT, a no-op rebuild of the same OUT, a second clean
# build into another OUT and a byte comparison of the two images and of each component.
# The Debian source cache (cache/src) is shared: fetching is not timed.
#
# usage: tests/bench/build.sh [-o RESULTS] [-p]
#   -p  run the two clean builds at the same time (faster; their times are then not
#       clean-build times, only the first sequential one would be)
# writes RESULTS/build.tsv, RESULTS/components.txt and RESULTS/build-*.log
set -eu

RESULTS=results/bench-build PARALLEL=0
while getopts o:ph opt; do
	case "$opt" in
	o) RESULTS=$OPTARG ;;
	p) PARALLEL=1 ;;
	*) echo "usage: $0 [-o RESULTS] [-p]" >&2; exit 2 ;;
	esac
done
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)
WORK=$TOP/out/bench-build
SRC=$WORK/src
A=$WORK/a B=$WORK/b
# Both builds must see the same SOURCE_DATE_EPOCH (the Makefile takes it from git).
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
export SOURCE_DATE_EPOCH
rev=$(git rev-parse --short HEAD)

rm -rf "$WORK"
mkdir -p "$SRC"
git archive HEAD | tar -x -C "$SRC"

ms() { echo $(($(date +%s%N) / 1000000)); }

# build NAME OUT: make image in the frozen tree; wall time in ms into RESULTS/NAME.ms.
build() {
	t0=$(ms)
	if (cd "$SRC" && make CACHE="$TOP/cache/src" OUT="$2" image) >"$RESULTS/build-$1.log" 2>&1; then
		echo $(($(ms) - t0)) >"$RESULTS/$1.ms"
	else
		echo "build.sh: make OUT=$2 image failed, see $RESULTS/build-$1.log" >&2
		echo -1 >"$RESULTS/$1.ms"
	fi
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$PARALLEL" = 1 ]; then
	build clean "$A" &
	pa=$!
	build clean2 "$B" &
	pb=$!
	wait "$pa" "$pb"
else
	build clean "$A"
fi
load1=$(cut -d' ' -f1-3 /proc/loadavg)
build noop "$A"
[ "$PARALLEL" = 1 ] || build clean2 "$B"
load2=$(cut -d' ' -f1-3 /proc/loadavg)

same="" differ=""
for f in vmlinuz initrd.img initrd-debug.img; do
	if cmp -s "$A/image/$f" "$B/image/$f"; then same="$same $f"; else differ="$differ $f"; fi
done
# Where a difference comes from, component by component.
for f in kernel/bzImage kernel/config init/init daemon/xtvd musl/lib/libxenstore.a musl/lib/libjson-c.a; do
	if cmp -s "$A/$f" "$B/$f"; then echo "same $f"; else echo "differs $f"; fi
done >"$RESULTS/components.txt"

{
	printf 'clean_ms\tnoop_ms\tclean2_ms\tidentical\tdiffer\tload_before\tload_mid\tload_after\tepoch\trev\tparallel\n'
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(cat "$RESULTS/clean.ms")" \
		"$(cat "$RESULTS/noop.ms")" "$(cat "$RESULTS/clean2.ms")" "${same# }" "${differ# }" \
		"$load0" "$load1" "$load2" "$SOURCE_DATE_EPOCH" "$rev" "$PARALLEL"
} >"$RESULTS/build.tsv"
cat "$RESULTS/build.tsv" "$RESULTS/components.txt"
