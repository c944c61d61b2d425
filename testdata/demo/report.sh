#!/bin/sh
# The demo's nightly report: tend tells the job its deadline.
echo "report ${TEND_CRON_ID:-manual} must finish by ${TEND_CRON_DEADLINE:-whenever}"
