// Package runner runs a formation: the instances of the Procfile's types,
// their restarts, reloads, the control operations and the drain that stops
// everything, started and drained by the Supervisor's one goroutine, which
// owns every instance's child, timers and effects. What it knows of each
// instance and the decisions about it (lifecycle.Member) and the policy it
// applies (back-off, recycles, health verdicts) are lifecycle's; children
// are started through spawn, their output goes through output, failures
// are reported by hook (--on-failure), and cron runs are the cron
// package's, started and drained with the formation.
package runner
