#!/bin/sh
# The status page's cost to an idle tend: two tends run side by side for
# DURATION seconds (60) with the same app (two sleeping processes and a daily cron
# job): one serves --metrics-addr and is polled the way the open page polls
# it, GET /ui/state every 2 s (curl); the other, the baseline, has no
# listener. Prints each one's CPU (user + system, from /proc/PID/stat, in
# clock ticks of 10 ms) as ms per minute and % of one core. Linux; needs
# curl and python3 (for a free port). Run by hand, not by CI:
#   bench/page-idle.sh
#   DURATION=120 ADDR=127.0.0.1:9090 bench/page-idle.sh
#   OUTPUT=1 bench/page-idle.sh   also GET /ui/output?name=web.1 each time
set -eu
cd "$(dirname "$0")/.."
secs=${DURATION:-60}
# A free port on loopback unless ADDR names one.
addr=${ADDR:-127.0.0.1:$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $pids; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
go build -o "$tmp/tend" ./cmd/tend

# app DIR: the app both tends run.
app() {
	mkdir -p "$1"
	printf 'web: sleep 3600\nworker: sleep 3600\n' >"$1/Procfile"
	printf '{"cron": [{"command": "echo nightly", "schedule": "30 3 * * *"}]}\n' >"$1/app.json"
}
app "$tmp/base"
app "$tmp/page"
(cd "$tmp/base" && TEND_SOCKET="$tmp/base.sock" exec "$tmp/tend" start >"$tmp/base.log" 2>&1) &
base=$!
pids="$base"
(cd "$tmp/page" && TEND_SOCKET="$tmp/page.sock" exec "$tmp/tend" start --metrics-addr "$addr" >"$tmp/page.log" 2>&1) &
page=$!
pids="$pids $page"

# Both up: the baseline answers on its socket, the other serves its state
# (its own: the snapshot's pid is its pid).
n=0
until TEND_SOCKET="$tmp/base.sock" "$tmp/tend" status >/dev/null 2>&1 &&
	curl -fsS "http://$addr/ui/state" 2>/dev/null | grep -q "\"pid\":$page,"; do
	n=$((n + 1))
	if [ "$n" -gt 100 ] || ! kill -0 "$base" 2>/dev/null || ! kill -0 "$page" 2>/dev/null; then
		echo "tend did not come up:" >&2
		cat "$tmp/base.log" "$tmp/page.log" >&2
		exit 1
	fi
	sleep 0.1
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
b0=$(ticks "$base")
p0=$(ticks "$page")
polls=0
end=$(($(date +%s) + secs))
while [ "$(date +%s)" -lt "$end" ]; do
	curl -fsS -o /dev/null "http://$addr/ui/state"
	if [ -n "${OUTPUT:-}" ]; then # a name's output open, as after a click
		curl -fsS -o /dev/null "http://$addr/ui/output?name=web.1"
	fi
	polls=$((polls + 1))
	sleep 2
done
b1=$(ticks "$base")
p1=$(ticks "$page")

# report NAME TICKS: ms of CPU per minute and % of a core.
report() {
	awk -v name="$1" -v t="$2" -v hz="$hz" -v s="$secs" 'BEGIN {
		ms = t * 1000 / hz
		printf "%-28s %6.0f ms CPU in %ds = %5.1f ms/min = %.3f %% of a core\n", name, ms, s, ms * 60 / s, ms / (s * 10)
	}'
}
echo "$("$tmp/tend" --version 2>/dev/null | head -1), $(nproc) cores, $polls polls of /ui/state${OUTPUT:+ and /ui/output}"
report "baseline (no page)" $((b1 - b0))
report "page polled every 2 s" $((p1 - p0))
