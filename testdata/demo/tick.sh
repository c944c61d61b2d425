#!/bin/sh
# The demo cron job: fires every 10 seconds under tend.
echo "tick at $(date -u +%T)"
