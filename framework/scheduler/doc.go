// Package scheduler runs a plugin's periodic tasks: Backstage's scheduler
// service, coordinated through a table in the plugin's own database so that
// a global task runs on one replica at a time, cluster-wide.
//
// A global task (the default scope) has one row in
// backstage_backend_tasks__tasks. Every replica polls; a replica claims a due
// task with a conditional UPDATE that only one of them can win, writing a
// fresh ticket and a lease that expires after the task's timeout. The task
// function runs with a context that is cancelled on timeout, on shutdown, or
// when the ticket is no longer ours (the janitor reaped it). Releasing the
// task clears the ticket only if it is still ours and sets the next start:
// max(previous start + cadence, now) for a duration (no drift, no burst of
// catch-up runs), the next fire time for a cron expression, nothing for a
// manual task. A janitor on every replica clears tickets whose lease expired
// (their holder died), making the task claimable again.
//
// A local task runs on every replica with in-process timers only.
//
// Time comes from an injected clock and the loop is a repeated [Scheduler.Tick],
// so tests drive the scheduler step by step without sleeping.
package scheduler
