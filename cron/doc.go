// Package cron runs app.json's cron jobs at their times: the scheduler, the
// concurrency policies (allow, forbid, replace) with the locks that hold
// them across tends (cronlock), retries, catch-up, and the record of every
// run in history.
package cron
