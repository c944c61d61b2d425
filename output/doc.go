// Package output writes the output of many processes to tend's stdout and
// stderr as whole lines under one lock (Mux); each producer's bytes are
// made into formatted lines (prefixes, colours, timestamps or JSON) by a
// linebatch.Writer, whose batches the Mux writes. The Mux owns the
// children's pipes (Pipes) and knows when a child's output is done; tend's
// own lines are queued so that a stalled log reader never stalls the
// supervisor. What it printed is kept for `tend logs` in a logbuf.Store
// (Logs), in the format the reader asks for.
package output
