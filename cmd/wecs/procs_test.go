package main

import (
	"context"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"
)

// listingStub is a fleet whose listing the test sets.
type listingStub struct {
	mu       sync.Mutex
	listing  bool
	listened bool
	changed  chan struct{}
}

func (f *listingStub) Listen(context.Context) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listened = true
	return f.changed
}

func (f *listingStub) Listing() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.listing
}

func (f *listingStub) set(listing bool) {
	f.mu.Lock()
	f.listing = listing
	f.mu.Unlock()
	f.changed <- struct{}{}
}

func waitProcs(t *testing.T, want int, when string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.GOMAXPROCS(0) != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: GOMAXPROCS is %d, want %d", when, runtime.GOMAXPROCS(0), want)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestTheUIRunsOnOneCoreWhileNothingIsListed(t *testing.T) {
	t.Setenv("GOMAXPROCS", "")
	os.Unsetenv("GOMAXPROCS")
	runtime.SetDefaultGOMAXPROCS()
	all := runtime.GOMAXPROCS(0)
	defer runtime.SetDefaultGOMAXPROCS()
	// Two at least, so that one core is a change even on a machine of one.
	runtime.GOMAXPROCS(max(all, 2))

	fleet := &listingStub{listing: true, changed: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		oneCoreWhenSettled(ctx, fleet)
		close(done)
	}()
	fleet.set(false)
	waitProcs(t, 1, "settled")
	fleet.set(true)
	waitProcs(t, all, "listing again")
	fleet.set(false)
	waitProcs(t, 1, "settled again")
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("oneCoreWhenSettled did not return when its context ended")
	}
}

func TestAGOMAXPROCSTheUserSetIsLeftAlone(t *testing.T) {
	t.Setenv("GOMAXPROCS", "2")
	defer runtime.SetDefaultGOMAXPROCS()
	runtime.GOMAXPROCS(2)
	fleet := &listingStub{changed: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	oneCoreWhenSettled(ctx, fleet)
	if fleet.listened || runtime.GOMAXPROCS(0) != 2 {
		t.Fatalf("with GOMAXPROCS set by the user: listened %v, GOMAXPROCS %d (want 2, unchanged)", fleet.listened, runtime.GOMAXPROCS(0))
	}
}
