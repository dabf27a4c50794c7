package wdsread

import (
	"context"
	"testing"

	"github.com/wecs-tui/wecs/kube/bindingpolicy"
)

// countingWDS counts its reads.
type countingWDS struct{ reads *int }

func (c countingWDS) Read(context.Context) (bindingpolicy.WDS, error) {
	*c.reads++
	return bindingpolicy.WDS{Policies: []bindingpolicy.Policy{{Name: "p"}}}, nil
}

// TestALoopTakesOnlyItsOwnReadsAndStopsWithItsView: two views' loops never
// take each other's results, a read made before Stop is dropped, and no
// tick after Stop reads again.
func TestALoopTakesOnlyItsOwnReadsAndStopsWithItsView(t *testing.T) {
	n := 0
	a, b := New(countingWDS{&n}), New(countingWDS{&n})
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
