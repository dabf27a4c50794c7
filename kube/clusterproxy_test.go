package kube

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	utilnet "k8s.io/apimachinery/pkg/util/net"
)

// TestATunnelTransportClosesItsIdleConnections: what the fleet calls once
// a proxied binding's watch ends reaches the pool inside, so the tunnels of
// a binding that is gone do not stay open.
func TestATunnelTransportClosesItsIdleConnections(t *testing.T) {
	closed := make(chan struct{}, 1)
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	server.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateClosed {
			closed <- struct{}{}
		}
	}
	server.Start()
	defer server.Close()
	transport := &tunnelTransport{RoundTripper: &http.Transport{}}
	resp, err := (&http.Client{Transport: transport}).Get(server.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	utilnet.CloseIdleConnectionsFor(transport)
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the idle connection was still open 5 s after CloseIdleConnectionsFor")
	}
}
