package main

import (
	"context"
	"os"
	"runtime"
)

// listingFleet is what oneCoreWhenSettled reads of a fleet.
type listingFleet interface {
	Listen(ctx context.Context) <-chan struct{}
	Listing() bool
}

// oneCoreWhenSettled runs the UI's goroutines on one core while nothing is
// being listed, and on every core (Go's default) while the fleet lists:
// the WECs' lists decode in parallel, but a settled fleet sends a trickle
// of small events, and a second core then only adds the scheduler's
// wake-ups of an idle thread at each one (about a sixth of the idle CPU,
// measured on two cores). A GOMAXPROCS the user set is left as it is.
// It returns when ctx ends.
func oneCoreWhenSettled(ctx context.Context, fleet listingFleet) {
	if _, set := os.LookupEnv("GOMAXPROCS"); set || runtime.GOMAXPROCS(0) == 1 {
		return
	}
	changed := fleet.Listen(ctx)
	onOne := false
	for {
		if settled := !fleet.Listing(); settled != onOne {
			if settled {
				runtime.GOMAXPROCS(1)
			} else {
				runtime.SetDefaultGOMAXPROCS()
			}
			onOne = settled
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}
