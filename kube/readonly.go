package kube

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrReadOnly is the error of a mutating request in read-only mode.
var ErrReadOnly = errors.New("wecs runs read-only (--readonly or readonly: true in the config file)")

// readOnly wraps a client transport so that only reads (GET, HEAD,
// OPTIONS) reach a server: whatever part of wecs asks, nothing else leaves
// the process.
func readOnly(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next.RoundTrip(req)
		}
		return nil, fmt.Errorf("%w: refused %s %s", ErrReadOnly, req.Method, req.URL.Path)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }
