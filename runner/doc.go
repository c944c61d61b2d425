// Package runner runs a formation: the instances of the Procfile's types,
// their restarts, reloads, the control operations, the --on-failure hook
// and the drain that stops everything, started and drained by the
// Supervisor's one goroutine. Children come from proc, their output goes
// through output, and cron runs are the cron package's, started and drained
// with the formation.
package runner
