#!/bin/sh
# The demo worker: takes a job every 2 seconds and finishes the one in hand
# when asked to stop, as Sidekiq or Resque workers do.
stopping=0
trap 'stopping=1; echo "SIGTERM: finishing the current job"' TERM
n=0
while [ "$stopping" = 0 ]; do
	n=$((n + 1))
	echo "working on job $n"
	sleep 2 &
	wait $!
done
echo "job $n done, exiting"
