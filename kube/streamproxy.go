package kube

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"k8s.io/client-go/rest"
)

// streamProxy stands in for rest.Config.Dial where client-go ignores it:
// its exec and port-forward transports (SPDY and websocket) dial the API
// server themselves and honour only rest.Config.Proxy. It is an HTTP
// CONNECT proxy on the loopback interface that takes only the holder of
// its random password and only the config's own API server, and opens
// each connection with the config's Dial (for example through the ITS's
// cluster-proxy).
type streamProxy struct {
	listener net.Listener
	dial     func(ctx context.Context, network, addr string) (net.Conn, error)
	target   string // host:port of the API server
	auth     string // the Proxy-Authorization header it accepts

	mu      sync.Mutex
	dialErr error // the last dial's error, to say why a stream failed
	conns   map[net.Conn]struct{}
}

const (
	// proxyRequestTimeout bounds how long a client may take to send its CONNECT.
	proxyRequestTimeout = 10 * time.Second
	// proxyDialTimeout bounds a dial to the API server.
	proxyDialTimeout = 30 * time.Second
)

// streamingConfig is cfg as client-go's streaming transports need it: when
// cfg dials its own way (or its transport is a tunnelTransport, made from
// a config that does), a copy that reaches the API server through a
// streamProxy started for it; else cfg itself. Close the proxy (a nil one
// too) when the stream has ended.
func streamingConfig(cfg *rest.Config) (*rest.Config, *streamProxy, error) {
	if t, ok := cfg.Transport.(*tunnelTransport); ok {
		// The rest of cfg (user agent, read-only guard, warnings) stays.
		dialing := rest.CopyConfig(cfg)
		dialing.Transport = nil
		dialing.TLSClientConfig, dialing.BearerToken, dialing.Dial = t.dialed.TLSClientConfig, t.dialed.BearerToken, t.dialed.Dial
		cfg = dialing
	}
	if cfg.Dial == nil {
		return cfg, nil, nil
	}
	server, err := url.Parse(cfg.Host)
	if err != nil {
		return nil, nil, fmt.Errorf("server %q: %w", cfg.Host, err)
	}
	target := server.Host
	if server.Port() == "" {
		target = net.JoinHostPort(server.Hostname(), "443")
	}
	secret := make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		return nil, nil, err
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("open a local port for the stream through %s: %w", target, err)
	}
	password := base64.RawURLEncoding.EncodeToString(secret)
	p := &streamProxy{
		listener: listener,
		dial:     cfg.Dial,
		target:   target,
		auth:     "Basic " + base64.StdEncoding.EncodeToString([]byte("wecs:"+password)),
		conns:    map[net.Conn]struct{}{},
	}
	go p.serve()
	streaming := rest.CopyConfig(cfg)
	streaming.Dial = nil
	streaming.Proxy = http.ProxyURL(&url.URL{Scheme: "http", User: url.UserPassword("wecs", password), Host: listener.Addr().String()})
	return streaming, p, nil
}

// Close stops taking connections and ends those it carries.
func (p *streamProxy) Close() {
	if p == nil {
		return
	}
	p.listener.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// explain gives the reason a stream failed: the proxy's last failed dial
// when there was one (the client only sees a 502), else err.
func (p *streamProxy) explain(err error) error {
	if p == nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dialErr != nil {
		return p.dialErr
	}
	return err
}

func (p *streamProxy) serve() {
	for {
		conn, err := p.listener.Accept()
		if err != nil {
			return
		}
		go p.carry(conn)
	}
}

// track adds c to the connections Close ends, or reports that the proxy is
// closed already.
func (p *streamProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *streamProxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
}

// carry answers one client: a CONNECT to the API server with the password
// is dialled and then copied both ways until either side ends.
func (p *streamProxy) carry(client net.Conn) {
	defer client.Close()
	if !p.track(client) {
		return
	}
	defer p.untrack(client)
	_ = client.SetReadDeadline(time.Now().Add(proxyRequestTimeout))
	reader := bufio.NewReader(client)
	req, err := http.ReadRequest(reader)
	if err != nil {
		return
	}
	_ = client.SetReadDeadline(time.Time{})
	switch {
	case subtle.ConstantTimeCompare([]byte(req.Header.Get("Proxy-Authorization")), []byte(p.auth)) != 1:
		refuse(client, http.StatusProxyAuthRequired, "wrong or missing proxy credentials")
		return
	case req.Method != http.MethodConnect || req.Host != p.target:
		refuse(client, http.StatusForbidden, "this proxy only connects to "+p.target)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), proxyDialTimeout)
	server, err := p.dial(ctx, "tcp", p.target)
	cancel()
	p.mu.Lock()
	p.dialErr = err
	p.mu.Unlock()
	if err != nil {
		refuse(client, http.StatusBadGateway, err.Error())
		return
	}
	defer server.Close()
	if !p.track(server) {
		return
	}
	defer p.untrack(server)
	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() {
		// What the client sent after its CONNECT may be buffered already.
		_, _ = reader.WriteTo(server)
		done <- struct{}{}
	}()
	go func() {
		_, _ = io.Copy(client, server)
		done <- struct{}{}
	}()
	<-done
}

// refuse answers a CONNECT with an error status and the reason.
func refuse(client net.Conn, status int, why string) {
	_, _ = fmt.Fprintf(client, "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		status, http.StatusText(status), len(why), why)
}
