#!/bin/sh
# Runs the shared Procfile-runner benchmarks (../../shared/bench, or
# $PBENCH) against tend and the peers installed here (foreman from Debian's
# ruby-foreman; Go peers from $PEER_BIN), in one session, so every ratio
# shares the machine's conditions. Run by hand, never in CI:
#
#   RUNS=5 BENCHES="throughput lifecycle shutdown idle" bench/compare.sh
#
# The report lands in bench/results/report.md (ignored by git).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pbench=${PBENCH:-$here/../../shared/bench}
mkdir -p "$here/results" "$here/bin"
(cd "$here/.." && CGO_ENABLED=0 go build -trimpath -o "$here/bin/tend" ./cmd/tend)
work=$(mktemp -d)
cp -r "$pbench"/. "$work"
chmod -R u+w "$work"
cd "$work"
rm -rf results
BENCHES=${BENCHES:-"throughput lifecycle shutdown idle"} \
	EXTRA="tend|$here/bin/tend start -f Procfile" ./run-all.sh
cp results/* "$here/results/"
echo "report: $here/results/report.md"
