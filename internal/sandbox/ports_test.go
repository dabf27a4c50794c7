package sandbox

import (
	"net"
	"strconv"
	"testing"
)

// Free ports come from below the ephemeral range, distinct and bindable, so
// that no outgoing connection can hold one between its choice and its use.
func TestFreePortsAreBelowTheEphemeralRange(t *testing.T) {
	p := newPortAllocator(0)
	seen := map[int]bool{}
	for range 200 {
		port := p.next()
		if err := p.err(); err != nil {
			t.Fatal(err)
		}
		if port < freePortLow || port >= freePortHigh {
			t.Fatalf("port %d is outside [%d, %d)", port, freePortLow, freePortHigh)
		}
		if seen[port] {
			t.Fatalf("port %d handed out twice", port)
		}
		seen[port] = true
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatalf("port %d handed out but busy: %v", port, err)
		}
		defer l.Close()
	}
}
