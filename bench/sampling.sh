#!/bin/sh
# The cost of --max-memory's sampling (issue 13): tend with 50 idle workers
# under a limit, measured from tend's own utime+stime in /proc over a
# window, with and without the limit; and one sample (one pass over /proc)
# as a Go benchmark. Run by hand, not by CI (it takes about 3 × WINDOW):
#   bench/sampling.sh                 # 50 workers, 60 s per run, 5 s samples
#   WORKERS=200 WINDOW=120 bench/sampling.sh
set -eu
cd "$(dirname "$0")/.."
workers=${WORKERS:-50}
window=${WINDOW:-60}
work=$(mktemp -d "${TMPDIR:-/tmp}/tend-sampling.XXXXXX")
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -trimpath -o "$work/tend" ./cmd/tend
printf 'worker: exec sleep 100000\n' > "$work/Procfile"
hz=100 # USER_HZ

# ticks PID: utime+stime of PID in clock ticks.
ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# run NAME ARGS...: tend for the window after three settling seconds; prints the
# CPU share of one core it used.
run() {
	name=$1
	shift
	"$work/tend" start -f "$work/Procfile" -m "worker=$workers" --socket "$work/sock" "$@" >/dev/null 2>&1 &
	pid=$!
	sleep 3
	t0=$(ticks "$pid")
	sleep "$window"
	t1=$(ticks "$pid")
	kill -TERM "$pid"
	wait "$pid" || true
	awk -v a="$t0" -v b="$t1" -v s="$window" -v hz="$hz" -v n="$name" \
		'BEGIN { printf "%-28s %6d ticks in %ds = %.3f %% of a core\n", n, b - a, s, (b - a) / hz / s * 100 }'
}

echo "$workers workers, ${window}s per run, $(nproc) cores"
run "no limit"
run "--max-memory worker=1G" --max-memory worker=1G
run "--max-memory, 1s samples" --max-memory worker=1G --memory-sample-every 1s
echo "one sample ($(ls /proc | grep -c '^[0-9]') processes on this host):"
go test -run '^$' -bench GroupUsage -benchtime 2000x ./procfs/ | grep Benchmark
