package kube

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

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

// TestConnectionLostTellsABrokenConnectionFromAnAnswer: a watch whose
// connection broke makes the session list again; an answer of the server
// (an expired resource version, a refusal) does not.
func TestConnectionLostTellsABrokenConnectionFromAnAnswer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, refused := http.Get("http://" + addr + "/api")
	if refused == nil {
		t.Fatal("a closed port answered")
	}
	for _, c := range []struct {
		err  error
		lost bool
	}{
		{refused, true},
		{fmt.Errorf("watch: %w", io.ErrUnexpectedEOF), true},
		{errors.New("http2: client connection lost"), true},
		{apierrors.NewResourceExpired("too old resource version"), false},
		{apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("no")), false},
		{apierrors.NewNotFound(schema.GroupResource{Resource: "widgets"}, ""), false},
	} {
		if got := connectionLost(c.err); got != c.lost {
			t.Errorf("connectionLost(%v) = %v, want %v", c.err, got, c.lost)
		}
	}
}

func TestListingNamesTheLargestListUnderWay(t *testing.T) {
	listing := map[string]listProgress{"pods": {2000, 3500}, "nodes": {150, 150}, "secrets": {10, 20}}
	if got := listingText(listing); got != "listing pods 2,000/3,500" {
		t.Errorf("got %q", got)
	}
	listing["pods"] = listProgress{3500, 3500}
	if got := listingText(listing); got != "listing secrets 10/20" {
		t.Errorf("once pods are listed, got %q", got)
	}
	listing["secrets"] = listProgress{20, 20}
	if got := listingText(listing); got != "" {
		t.Errorf("with every list done, got %q", got)
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}
