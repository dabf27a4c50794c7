package kube

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"k8s.io/client-go/rest"
)

// connectThrough sends a CONNECT for target to the proxy at proxyURL with
// the credentials given and returns the answer's status and the
// connection.
func connectThrough(t *testing.T, proxyURL *url.URL, user *url.Userinfo, target string) (int, string, net.Conn) {
	t.Helper()
	conn, err := net.Dial("tcp", proxyURL.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: target}, Host: target, Header: http.Header{}}
	if user != nil {
		password, _ := user.Password()
		req.SetBasicAuth(user.Username(), password)
		req.Header.Set("Proxy-Authorization", req.Header.Get("Authorization"))
		req.Header.Del("Authorization")
	}
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	reader := bufio.NewReader(conn)
	resp, err := http.ReadResponse(reader, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp.StatusCode, "", conn // the tunnel, no body
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1000))
	return resp.StatusCode, string(body), conn
}

// TestStreamProxyCarriesOnlyItsServerForItsHolder: the local proxy that
// stands in for a config's Dial connects the holder of its password to the
// config's server alone, through that Dial, and says why a dial failed.
func TestStreamProxyCarriesOnlyItsServerForItsHolder(t *testing.T) {
	var dialed atomic.Int32
	fail := errors.New("proxy agent of cluster3 not connected")
	cfg := &rest.Config{Host: "https://cluster3:443", Dial: func(_ context.Context, _, addr string) (net.Conn, error) {
		if addr != "cluster3:443" {
			t.Errorf("dialled %s", addr)
		}
		if dialed.Add(1) > 1 {
			return nil, fail
		}
		ours, theirs := net.Pipe()
		go func() { _, _ = io.Copy(theirs, theirs) }() // an echo server
		return ours, nil
	}}
	streaming, proxy, err := streamingConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	if streaming.Dial != nil || streaming.Proxy == nil || cfg.Proxy != nil {
		t.Fatalf("streaming config: Dial set %v, Proxy set %v; the original's Proxy set %v", streaming.Dial != nil, streaming.Proxy != nil, cfg.Proxy != nil)
	}
	proxyURL, err := streaming.Proxy(&http.Request{URL: &url.URL{Scheme: "https", Host: "cluster3:443"}})
	if err != nil {
		t.Fatal(err)
	}

	if code, _, _ := connectThrough(t, proxyURL, nil, "cluster3:443"); code != http.StatusProxyAuthRequired {
		t.Errorf("without credentials: %d", code)
	}
	if code, _, _ := connectThrough(t, proxyURL, url.UserPassword("wecs", "guess"), "cluster3:443"); code != http.StatusProxyAuthRequired {
		t.Errorf("with a wrong password: %d", code)
	}
	if code, body, _ := connectThrough(t, proxyURL, proxyURL.User, "10.0.0.1:22"); code != http.StatusForbidden || !strings.Contains(body, "only connects to cluster3:443") {
		t.Errorf("to another host: %d %q", code, body)
	}
	if n := dialed.Load(); n != 0 {
		t.Fatalf("refused requests dialled %d times", n)
	}

	code, _, conn := connectThrough(t, proxyURL, proxyURL.User, "cluster3:443")
	if code != http.StatusOK {
		t.Fatalf("CONNECT to its server: %d", code)
	}
	fmt.Fprint(conn, "ping\n")
	if got, err := bufio.NewReader(conn).ReadString('\n'); err != nil || got != "ping\n" {
		t.Errorf("through the tunnel: %q, %v", got, err)
	}

	if code, body, _ := connectThrough(t, proxyURL, proxyURL.User, "cluster3:443"); code != http.StatusBadGateway || !strings.Contains(body, fail.Error()) {
		t.Errorf("a failed dial: %d %q", code, body)
	}
	if err := proxy.explain(errors.New("unable to upgrade connection")); !errors.Is(err, fail) {
		t.Errorf("a failed stream is explained as %v, want the dial's error", err)
	}

	proxy.Close()
	if _, err := bufio.NewReader(conn).ReadString('\n'); err == nil {
		t.Error("a carried connection outlives the proxy's Close")
	}
}

// TestStreamingConfigLeavesADialLessConfigAlone: a config that dials the
// usual way needs no proxy.
func TestStreamingConfigLeavesADialLessConfigAlone(t *testing.T) {
	cfg := &rest.Config{Host: "https://127.0.0.1:6443"}
	streaming, proxy, err := streamingConfig(cfg)
	if err != nil || streaming != cfg || proxy != nil {
		t.Errorf("got %p (want %p), proxy %v, %v", streaming, cfg, proxy, err)
	}
	proxy.Close() // a nil proxy closes too
}
