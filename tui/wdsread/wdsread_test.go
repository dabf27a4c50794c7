package wdsread

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wecs-tui/wecs/kube/bindingpolicy"
)

// countingWDS counts its reads; changed, when set, tells its changes.
type countingWDS struct {
	reads   *int
	changed chan struct{}
}

func (c countingWDS) Changed() <-chan struct{} {
	if c.changed == nil {
		return nil
	}
	return c.changed
}

func (c countingWDS) Read(ctx context.Context) (bindingpolicy.WDS, error) {
	if err := ctx.Err(); err != nil {
		return bindingpolicy.WDS{}, err
	}
	*c.reads++
	return bindingpolicy.WDS{Policies: []bindingpolicy.Policy{{Name: "p"}}}, nil
}

// TestALoopTakesOnlyItsOwnReadsAndStopsWithItsView: two views' loops never
// take each other's results, a read made before Stop is dropped, and no
// tick after Stop reads again.
func TestALoopTakesOnlyItsOwnReadsAndStopsWithItsView(t *testing.T) {
	n := 0
	a, b := New(countingWDS{reads: &n}), New(countingWDS{reads: &n})
	readA, readB := a.Start()(), b.Start()()
	if read, next := a.Update(readB); read != nil || next != nil {
		t.Fatalf("loop a took loop b's read: %v", read)
	}
	read, next := a.Update(readA)
	if read == nil || len(read.WDS.Policies) != 1 || next == nil {
		t.Fatalf("loop a's own read: %v, next %v", read, next)
	}
	tick := next()
	if _, again := a.Update(tick); again == nil {
		t.Fatal("a tick while the view shows reads nothing")
	}
	stale := a.Now()()
	a.Stop()
	if read, _ := a.Update(stale); read != nil {
		t.Fatal("a read made before Stop was taken after it")
	}
	if _, again := a.Update(tick); again != nil {
		t.Fatal("a tick after Stop reads again")
	}
	if n != 3 {
		t.Fatalf("%d reads, want 3", n)
	}
}

// TestAWDSThatTellsItsChangesIsReadAtEachChange: the read after one waits
// for the WDS's next change, not for a tick, and comes soon after it.
func TestAWDSThatTellsItsChangesIsReadAtEachChange(t *testing.T) {
	n := 0
	wds := countingWDS{reads: &n, changed: make(chan struct{})}
	l := New(wds)
	_, next := l.Update(l.Start()())
	ticked := make(chan tea.Msg, 1)
	go func() { ticked <- next() }()
	select {
	case <-ticked:
		t.Fatal("read again before the WDS changed")
	case <-time.After(interval + time.Second):
	}
	start := time.Now()
	close(wds.changed)
	select {
	case tick := <-ticked:
		if _, again := l.Update(tick); again == nil {
			t.Fatal("a change while the view shows reads nothing")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("not read again within 5s of the change")
	}
	if waited := time.Since(start); waited > time.Second {
		t.Fatalf("read again %s after the change", waited)
	}
}

// TestTheWaitForAChangeEndsWithItsView: a view that leaves the screen
// leaves no read waiting for the WDS's next change.
func TestTheWaitForAChangeEndsWithItsView(t *testing.T) {
	n := 0
	l := New(countingWDS{reads: &n, changed: make(chan struct{})})
	_, wait := l.Update(l.Start()())
	ended := make(chan tea.Msg, 1)
	go func() { ended <- wait() }()
	l.Stop()
	select {
	case msg := <-ended:
		if msg != nil {
			t.Fatalf("the wait ended with %v after Stop, want nothing", msg)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the wait for a change still runs 5s after Stop")
	}
	if n != 1 {
		t.Fatalf("%d reads, want 1", n)
	}
	if read, _ := l.Update(l.Now()()); read == nil || read.Err != nil {
		t.Fatalf("a read asked for after Stop: %+v", read)
	}
}
