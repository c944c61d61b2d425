#!/bin/sh
# Cron lock latency and idle cost: the flock lock dir against PostgreSQL and
# MariaDB on loopback (servers started by the test binary itself; needs
# Debian's postgresql and mariadb-server). Run by hand, not by CI:
#   bench/locks.sh            acquire+release, 2000 each: median and p99
#   IDLE=1 bench/locks.sh     also the keep-alive's CPU with 50 locks held
set -eu
cd "$(dirname "$0")/.."
go test -run '^$' -bench 'AcquireRelease' -benchtime 2000x ./dblock/
if [ "${IDLE:-}" = 1 ]; then
	go test -run '^$' -bench 'KeepAlive' -benchtime 1x ./dblock/
fi
