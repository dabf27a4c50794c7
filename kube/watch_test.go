package kube

import "testing"

// TestStaleSinceMarksALostConnection: a cluster that had synced and lost
// its connection records when, keeps that time through its retries, and
// drops it once it is connected again; one that never synced holds nothing
// stale.
func TestStaleSinceMarksALostConnection(t *testing.T) {
	w := newClusterWatch("cluster1", nil, nil, nil, func() {})
	set := func(s ConnState) Connection {
		w.update(func(c *Connection) { c.State = s })
		return w.Connection()
	}
	if c := set(Disconnected); !c.StaleSince.IsZero() {
		t.Fatalf("a cluster that never synced is stale since %v", c.StaleSince)
	}
	set(Connecting)
	if c := set(Connected); !c.StaleSince.IsZero() {
		t.Fatalf("a connected cluster is stale since %v", c.StaleSince)
	}
	lost := set(Disconnected)
	if lost.StaleSince.IsZero() || !lost.StaleSince.Equal(lost.Since) {
		t.Fatalf("lost connection: stale since %v, disconnected since %v", lost.StaleSince, lost.Since)
	}
	set(Connecting)
	if c := set(Disconnected); !c.StaleSince.Equal(lost.StaleSince) {
		t.Errorf("a failed retry moved the stale time from %v to %v", lost.StaleSince, c.StaleSince)
	}
	if c := set(Connected); !c.StaleSince.IsZero() {
		t.Errorf("the resynced cluster is still stale since %v", c.StaleSince)
	}
}
