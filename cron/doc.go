// Package cron runs app.json's cron jobs at their times: the scheduler, the
// concurrency policies (allow, forbid, replace), the lock files that hold
// them across tends, and the record of every run in history.
package cron
