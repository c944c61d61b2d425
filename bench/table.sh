#!/usr/bin/env bash
# Prints the performance table (issue 19's rows) for none (the same children
# without a runner), tend and the peers installed here, from one session on
# this machine: throughput through a cheap sink and through the validating
# one (lost, merged, cut lines), SIGTERM -> exit, first child exec'd, idle
# RSS, and exec mode's start against tini. Run by hand, never in CI; on a
# 2-core machine it takes about 15 minutes with the defaults.
#
#   bench/table.sh                       # RUNS=5, peers if installed
#   RUNS=3 PEERS="" bench/table.sh       # tend and the baselines only
#
# Uses the shared benchmarks in ../../shared/bench (or $PBENCH). The raw
# results stay in bench/results/table-*/ (ignored by git).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pbench=${PBENCH:-$here/../../shared/bench}
runs=${RUNS:-5}
out=$here/results/table-$(date +%Y%m%dT%H%M%S)
mkdir -p "$out"

work=$(mktemp -d "${TMPDIR:-/tmp}/tend-table.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r "$pbench"/. "$work"
chmod -R u+w "$work"
(cd "$work" && rm -rf results && ./build.sh >/dev/null)
(cd "$here/.." && CGO_ENABLED=0 go build -trimpath -tags urfave_cli_no_docs -o "$work/tend" ./cmd/tend)
tend=$work/tend bin=$work/bin

runners=("tend|$tend start -f Procfile")
cheap=("tend|$tend start -f Procfile" "tend-no-prefix|$tend start -f Procfile --no-prefix" "gomin|$bin/pbench direct -mode prefix Procfile")
if [ "${PEERS-all}" != "" ] && command -v foreman >/dev/null; then
	runners+=("foreman|foreman start -f Procfile")
fi
RUNNERS=$(printf '%s\n' "${runners[@]}")
export RUNNERS RUNS=$runs

cd "$work"
echo "== cheap sink $(date +%T)" >&2
for procs in 1 4; do
	BENCH=$work RUNS=$((runs + 2)) PROCS=$procs ./bench-throughput-cheapsink.sh "${cheap[@]}" > "$out/cheapsink-$procs.txt"
done
echo "== validating sink $(date +%T)" >&2
./bench-throughput.sh -out "$out/throughput.jsonl" >/dev/null
echo "== lifecycle $(date +%T)" >&2
./bench-lifecycle.sh -n 1,100,1000 -out "$out/lifecycle.jsonl" >/dev/null
echo "== idle $(date +%T)" >&2
for n in 1 50 1000; do
	./bench-idle.sh -n "$n" -window 5s -out "$out/idle.jsonl" >/dev/null
done
echo "== exec mode $(date +%T)" >&2
execs=("$tend -- /bin/true")
command -v tini >/dev/null && execs+=("tini -s -- /bin/true")
command -v dumb-init >/dev/null && execs+=("dumb-init /bin/true")
hyperfine -N -w 10 -r $((runs * 40)) --export-json "$out/exec.json" "${execs[@]}" >/dev/null 2>&1 ||
	echo "hyperfine missing: no exec-mode row" >&2

{
	echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(uname -sr), RUNS=$runs; medians, ratios to none from the same session"
	echo
	python3 "$here/table.py" "$out"
} | tee "$out/table.md"
