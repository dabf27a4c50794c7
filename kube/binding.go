package kube

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"

	clusterv1 "open-cluster-management.io/api/cluster/v1"
)

// How a WEC was bound to a kubeconfig context.
const (
	BoundByExplicit = "explicit mapping"
	BoundByName     = "context named like the cluster"
	BoundByURL      = "server URL"
	BoundByCA       = "certificate authority"
)

// Binding is the kubeconfig context wecs reaches a WEC through, or why it
// has none.
type Binding struct {
	Context string
	// By says how the context was found (BoundBy…); empty when unbound.
	By string
	// Problem says why there is no context, and what to do.
	Problem string
}

// Bound reports whether the WEC has a context or a way through the ITS.
func (b Binding) Bound() bool { return b.Context != "" || b.By == BoundByClusterProxy }

// Reach says how the WEC is reached: "context cluster2", "through the ITS
// (cluster-proxy)", or "" when it is not.
func (b Binding) Reach() string {
	switch {
	case b.By == BoundByClusterProxy:
		return BoundByClusterProxy
	case b.Context != "":
		return "context " + b.Context
	}
	return ""
}

// ReachColumn is how a table's CONTEXT column shows the binding: the
// context's name, or "(cluster-proxy)" when the WEC is reached through the ITS.
func (b Binding) ReachColumn() string {
	if b.By == BoundByClusterProxy {
		return "(cluster-proxy)"
	}
	return b.Context
}

// endpoint is where a context points: its server and CA certificates.
type endpoint struct {
	server string
	ca     [][]byte // DER of each CA certificate
}

// Bind finds the context for a WEC: the explicit mapping first (the user said
// so), then a context named like the cluster, then one whose server URL, then
// one whose CA matches what the ManagedCluster registered; failing those, the
// way through the ITS's cluster-proxy add-on when the ITS has one.
func (k *Kubeconfig) Bind(mc *clusterv1.ManagedCluster, explicit map[string]string) Binding {
	cluster, configs := mc.Name, mc.Spec.ManagedClusterClientConfigs
	if ctx, ok := explicit[cluster]; ok {
		if _, exists := k.raw.Contexts[ctx]; !exists {
			return Binding{Problem: fmt.Sprintf("--wec-context %s=%s names a context the kubeconfig does not have", cluster, ctx)}
		}
		return Binding{Context: ctx, By: BoundByExplicit}
	}
	if _, ok := k.raw.Contexts[cluster]; ok {
		return Binding{Context: cluster, By: BoundByName}
	}
	endpoints := k.endpoints()
	names := k.Contexts()
	for _, cfg := range configs {
		want := normalizeURL(cfg.URL)
		for _, name := range names {
			if want != "" && normalizeURL(endpoints[name].server) == want {
				return Binding{Context: name, By: BoundByURL}
			}
		}
	}
	for _, cfg := range configs {
		want := pemCerts(cfg.CABundle)
		for _, name := range names {
			if sharesCert(want, endpoints[name].ca) {
				return Binding{Context: name, By: BoundByCA}
			}
		}
	}
	registered := "it registered no URL"
	if len(configs) > 0 {
		var urls []string
		for _, c := range configs {
			urls = append(urls, c.URL)
		}
		registered = "none points at " + strings.Join(urls, ", ") + " or shares its CA"
	}
	proxy := ""
	p, err := k.clusterProxy()
	switch {
	case err == nil && mc.Labels[clusterProxyFeatureLabel] == "":
		// The hub labels a cluster for each of its add-ons: without the
		// label it has no ManagedClusterAddOn to ask the ITS for.
		proxy = fmt.Sprintf("; the cluster-proxy add-on is not enabled for %s (the ITS does not label it %s)", cluster, clusterProxyFeatureLabel)
	case err == nil:
		ctx, cancel := context.WithTimeout(context.Background(), proxyDiscoveryTimeout)
		defer cancel()
		if err = p.addonAvailable(ctx, cluster); err == nil {
			return Binding{By: BoundByClusterProxy}
		}
		proxy = "; " + err.Error()
	case !errors.Is(err, ErrNoClusterProxy):
		proxy = "; the ITS's cluster-proxy cannot be used: " + err.Error()
	}
	return Binding{Problem: fmt.Sprintf("no kubeconfig context named %q, and %s%s; add a context for it or pass --wec-context %s=CONTEXT",
		cluster, registered, proxy, cluster)}
}

// endpoints are every context's server and CA (from data or file), read once.
func (k *Kubeconfig) endpoints() map[string]endpoint {
	k.endpointsOnce.Do(func() { k.endpointsMap = k.readEndpoints() })
	return k.endpointsMap
}

func (k *Kubeconfig) readEndpoints() map[string]endpoint {
	out := map[string]endpoint{}
	for name, ctx := range k.raw.Contexts {
		c, ok := k.raw.Clusters[ctx.Cluster]
		if !ok {
			continue
		}
		ca := c.CertificateAuthorityData
		if len(ca) == 0 && c.CertificateAuthority != "" {
			ca, _ = os.ReadFile(c.CertificateAuthority)
		}
		out[name] = endpoint{server: c.Server, ca: pemCerts(ca)}
	}
	return out
}

func normalizeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Host)
	if u.Port() == "" && u.Scheme == "https" {
		host += ":443"
	}
	return strings.ToLower(u.Scheme) + "://" + host + strings.TrimRight(u.Path, "/")
}

// pemCerts returns the DER bytes of each certificate in a PEM bundle.
func pemCerts(bundle []byte) [][]byte {
	var out [][]byte
	for {
		var block *pem.Block
		block, bundle = pem.Decode(bundle)
		if block == nil {
			return out
		}
		if block.Type == "CERTIFICATE" {
			out = append(out, block.Bytes)
		}
	}
}

func sharesCert(a, b [][]byte) bool {
	return slices.ContainsFunc(a, func(x []byte) bool {
		return slices.ContainsFunc(b, func(y []byte) bool { return bytes.Equal(x, y) })
	})
}
