package kube

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestErrorTextClassifiesTLSOnlyForTLSFailures(t *testing.T) {
	refused := fmt.Errorf("%w: refused PUT /apis/certificates.k8s.io/v1/certificatesigningrequests/csr-1/approval", ErrReadOnly)
	for _, tc := range []struct {
		name    string
		err     error
		wantTLS bool
	}{
		{"read-only refusal of a CSR approval", &url.Error{Op: "Put", URL: "https://its/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-1/approval", Err: refused}, false},
		{"other error naming certificates", errors.New(`certificatesigningrequests "csr-1" not found`), false},
		{"unknown authority", &url.Error{Op: "Get", URL: "https://its/api", Err: x509.UnknownAuthorityError{}}, true},
		{"handshake text", errors.New("Get https://its/api: tls: failed to verify certificate: x509: certificate signed by unknown authority"), true},
	} {
		got := errorText(tc.err)
		if strings.HasPrefix(got, "TLS: ") != tc.wantTLS {
			t.Errorf("%s: errorText = %q, want TLS classification %v", tc.name, got, tc.wantTLS)
		}
	}
	if got := errorText(refused); !strings.Contains(got, "read-only") {
		t.Errorf("errorText(read-only refusal) = %q, want the read-only reason", got)
	}
}
