// Command wecs is a terminal UI and CLI for the workloads of every WEC
// (Workload Execution Cluster) that a KubeStellar ITS knows.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/wecs-tui/wecs/internal/termtext"
)

// softMemoryLimit makes the garbage collector work harder before the heap
// grows past it (a soft limit: nothing fails above it). The first sync of a
// large fleet allocates quickly; without it the heap grows to twice the
// live data between collections. GOMEMLIMIT overrides it.
const softMemoryLimit = 128 << 20

func main() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(softMemoryLimit)
	}
	// client-go logs through klog; its lines would garble the screen and the
	// CLI's output. Errors reach the user as errors instead, and -v or
	// --log-file sends the lines to a file.
	routeKlog(io.Discard, 0)
	ctx, quit := quitOnSignals(context.Background())
	// Whatever a command prints may hold text from a cluster: the output
	// goes through termtext's writer, so no escape sequence reaches the terminal.
	prof, log := &profiler{}, &runLog{}
	root, stderr := newRoot(quit, prof, log), termtext.Writer(os.Stderr)
	root.SetOut(termtext.Writer(os.Stdout))
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	prof.stop()
	log.stop()
	if code := quit.exitCode(); code != 0 {
		// Ended by a signal: its error, if any, is only that.
		quit.sayWhereTheEditIs()
		os.Exit(code)
	}
	if err != nil {
		fmt.Fprintln(stderr, "wecs:", err)
		os.Exit(exitCode(err))
	}
}
