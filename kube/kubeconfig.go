// Package kube is everything of wecs that talks to Kubernetes: kubeconfig and
// contexts, fleet discovery on the ITS, and the WECs' objects. It never
// imports the terminal UI.
package kube

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/wecs-tui/wecs/internal/buildinfo"
)

// DefaultITSContext is the context name KubeStellar's setup gives the ITS.
const DefaultITSContext = "its1"

// Flags are the kubeconfig flags wecs accepts: kubectl's own where they make
// sense for a whole fleet, plus --its-context. Per-cluster overrides
// (--server, --token, --user …) are left out: they cannot apply to every WEC.
type Flags struct {
	config     *genericclioptions.ConfigFlags
	ITSContext string
	// Context is --context, kubectl's name for the same choice as --its-context.
	Context string
	// WECContexts are --wec-context CLUSTER=CONTEXT mappings.
	WECContexts []string
	// ReadOnly makes every client refuse to send a mutating request.
	ReadOnly bool
	// NoStdin tells exec credential plugins that they may not read the
	// terminal (the TUI owns it).
	NoStdin bool
	// ClusterProxy says how to reach WECs through the ITS's cluster-proxy
	// add-on when no context binds them.
	ClusterProxy ClusterProxyOptions
}

// NewFlags returns the flags with kubectl's defaults.
func NewFlags() *Flags {
	cf := genericclioptions.NewConfigFlags(true)
	// Flags that name one cluster or one identity do not fit a fleet.
	cf.Context, cf.ClusterName, cf.AuthInfoName, cf.APIServer, cf.BearerToken = nil, nil, nil, nil, nil
	cf.CAFile, cf.CertFile, cf.KeyFile, cf.TLSServerName, cf.Namespace = nil, nil, nil, nil, nil
	return &Flags{config: cf}
}

// AddFlags registers the flags on fs.
func (f *Flags) AddFlags(fs *pflag.FlagSet) {
	f.config.AddFlags(fs)
	fs.StringVar(&f.ITSContext, "its-context", "", `kubeconfig context of the ITS (default "`+DefaultITSContext+`" if present, else the current context)`)
	fs.StringVar(&f.Context, "context", "", "the same as --its-context, as kubectl users type it")
	fs.StringArrayVar(&f.WECContexts, "wec-context", nil, "CLUSTER=CONTEXT: reach a WEC through this kubeconfig context (repeatable; overrides matching by name, URL or CA)")
	fs.StringVar(&f.ClusterProxy.Address, "cluster-proxy-address", "", "HOST:PORT of the ITS's cluster-proxy server for clients (default: the ITS's host at the port its ManagedProxyConfiguration gives)")
	fs.StringVar(&f.ClusterProxy.ServiceAccount, "cluster-proxy-serviceaccount", DefaultManagedServiceAccount, "managed service account whose token (a secret so named in each WEC's namespace on the ITS) wecs presents through the cluster-proxy")
	fs.BoolVar(&f.ReadOnly, "readonly", false, "never change anything: no request other than reads leaves wecs (also `readonly: true` in the config file)")
}

// itsContextFlag is the ITS context the flags name ("" when none): --its-context
// or --context, which must agree when both are given.
func (f *Flags) itsContextFlag() (string, error) {
	if f.ITSContext != "" && f.Context != "" && f.ITSContext != f.Context {
		return "", fmt.Errorf("--its-context %s and --context %s name different contexts; give only one", f.ITSContext, f.Context)
	}
	return cmp.Or(f.ITSContext, f.Context), nil
}

// userExtras parses --as-user-extra KEY=VALUE flags (repeatable, a key may
// come back with more values).
func (f *Flags) userExtras() (map[string][]string, error) {
	if f.config.ImpersonateUserExtra == nil || len(*f.config.ImpersonateUserExtra) == 0 {
		return nil, nil
	}
	out := map[string][]string{}
	for _, extra := range *f.config.ImpersonateUserExtra {
		key, value, ok := strings.Cut(extra, "=")
		if !ok || key == "" {
			return nil, fmt.Errorf("--as-user-extra %q: write KEY=VALUE, e.g. --as-user-extra reason=debugging", extra)
		}
		out[key] = append(out[key], value)
	}
	return out, nil
}

// WECContextMap parses the --wec-context flags into cluster → context.
func (f *Flags) WECContextMap() (map[string]string, error) {
	out := map[string]string{}
	for _, m := range f.WECContexts {
		cluster, ctx, ok := strings.Cut(m, "=")
		if !ok || cluster == "" || ctx == "" {
			return nil, fmt.Errorf("--wec-context %q: write CLUSTER=CONTEXT, e.g. --wec-context cluster1=kind-cluster1", m)
		}
		out[cluster] = ctx
	}
	return out, nil
}

// ReadOnly reports whether the clients refuse mutating requests.
func (k *Kubeconfig) ReadOnly() bool { return k.flags.ReadOnly }

// Kubeconfig is the merged kubeconfig wecs reads its contexts from.
type Kubeconfig struct {
	flags *Flags
	raw   clientcmdapi.Config
	// endpoints of every context, read once (CA files included) for binding.
	endpointsOnce sync.Once
	endpointsMap  map[string]endpoint
	// proxy is the ITS's cluster-proxy, discovered once when first needed.
	proxyOnce sync.Once
	proxy     *ClusterProxy
	proxyErr  error
	// Paths are the files the kubeconfig was read from.
	Paths []string
}

// LoadKubeconfig reads the kubeconfig named by --kubeconfig, $KUBECONFIG or
// ~/.kube/config, as kubectl does.
func (f *Flags) LoadKubeconfig() (*Kubeconfig, error) {
	if _, err := f.userExtras(); err != nil {
		return nil, err
	}
	loader := f.config.ToRawKubeConfigLoader()
	raw, err := loader.RawConfig()
	if err != nil {
		return nil, fmt.Errorf("read kubeconfig: %w (check --kubeconfig or $KUBECONFIG)", err)
	}
	k := &Kubeconfig{flags: f, raw: raw}
	if access := loader.ConfigAccess(); access.IsExplicitFile() {
		k.Paths = []string{access.GetExplicitFile()}
	} else {
		k.Paths = access.GetLoadingPrecedence()
	}
	return k, nil
}

// Contexts lists the kubeconfig's context names, sorted.
func (k *Kubeconfig) Contexts() []string {
	return slices.Sorted(maps.Keys(k.raw.Contexts))
}

// ErrNoContexts means the kubeconfig has no context at all.
var ErrNoContexts = errors.New("the kubeconfig has no contexts")

// ITSContext is the context wecs uses for the ITS: --its-context if given,
// else "its1" if the kubeconfig has it, else the current context.
func (k *Kubeconfig) ITSContext() (string, error) {
	where := strings.Join(k.Paths, ":")
	if len(k.raw.Contexts) == 0 {
		return "", fmt.Errorf("%w (read from %s): point --kubeconfig or $KUBECONFIG at a kubeconfig with a context for the ITS", ErrNoContexts, where)
	}
	name, err := k.flags.itsContextFlag()
	if err != nil {
		return "", err
	}
	if name == "" {
		if _, ok := k.raw.Contexts[DefaultITSContext]; ok {
			return DefaultITSContext, nil
		}
		if k.raw.CurrentContext == "" {
			return "", fmt.Errorf("no --its-context given, no context %q and no current context in %s; pick one of: %s",
				DefaultITSContext, where, strings.Join(k.Contexts(), ", "))
		}
		name = k.raw.CurrentContext
	}
	if _, ok := k.raw.Contexts[name]; !ok {
		return "", fmt.Errorf("context %q is not in the kubeconfig (%s); pass --its-context with one of: %s",
			name, where, strings.Join(k.Contexts(), ", "))
	}
	return name, nil
}

// ContextNamespace is the namespace a context names ("" when none).
func (k *Kubeconfig) ContextNamespace(context string) string {
	if c, ok := k.raw.Contexts[context]; ok {
		return c.Namespace
	}
	return ""
}

// userAgent names wecs and its version in every request, so that servers'
// audit logs tell wecs's requests apart.
func userAgent() string {
	version, _, _ := buildinfo.Info()
	return "wecs/" + version
}

// RESTConfig is the client configuration for one context, with the fleet-wide
// overrides from the flags (impersonation, timeouts, TLS verification).
func (k *Kubeconfig) RESTConfig(context string) (*rest.Config, error) {
	overrides := &clientcmd.ConfigOverrides{CurrentContext: context}
	cf := k.flags.config
	if cf.Impersonate != nil {
		overrides.AuthInfo.Impersonate = *cf.Impersonate
	}
	if cf.ImpersonateUID != nil {
		overrides.AuthInfo.ImpersonateUID = *cf.ImpersonateUID
	}
	if cf.ImpersonateGroup != nil {
		overrides.AuthInfo.ImpersonateGroups = *cf.ImpersonateGroup
	}
	extras, err := k.flags.userExtras()
	if err != nil {
		return nil, err
	}
	overrides.AuthInfo.ImpersonateUserExtra = extras
	if cf.Insecure != nil && *cf.Insecure {
		overrides.ClusterInfo.InsecureSkipTLSVerify = true
	}
	if cf.Timeout != nil {
		overrides.Timeout = *cf.Timeout
	}
	cfg, err := clientcmd.NewDefaultClientConfig(k.raw, overrides).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("context %q: %w", context, err)
	}
	if cf.DisableCompression != nil {
		cfg.DisableCompression = *cf.DisableCompression
	}
	if cfg.ExecProvider != nil && k.flags.NoStdin {
		// A copy: the kubeconfig's own settings are shared by every context.
		exec := *cfg.ExecProvider
		exec.StdinUnavailable = true
		exec.StdinUnavailableMessage = "wecs tui owns the terminal, so the credential plugin cannot ask for input: log in first (run a kubectl command with this context), then start wecs tui again"
		cfg.ExecProvider = &exec
	}
	return k.finish(cfg), nil
}

// finish gives a client configuration wecs's fleet-wide settings.
func (k *Kubeconfig) finish(cfg *rest.Config) *rest.Config {
	// Deprecation warnings (v1 Endpoints …) are the server's business, not the user's.
	cfg.WarningHandler = rest.NoWarnings{}
	cfg.UserAgent = userAgent()
	if k.flags.ReadOnly {
		cfg.Wrap(readOnly)
	}
	return cfg
}

// proxyDiscoveryTimeout bounds reading the ITS's cluster-proxy configuration.
const proxyDiscoveryTimeout = 15 * time.Second

// clusterProxy is the ITS's cluster-proxy add-on, discovered on first use;
// ErrNoClusterProxy when the ITS has none.
func (k *Kubeconfig) clusterProxy() (*ClusterProxy, error) {
	k.proxyOnce.Do(func() {
		its, err := k.ITSContext()
		if err != nil {
			k.proxyErr = err
			return
		}
		cfg, err := k.RESTConfig(its)
		if err != nil {
			k.proxyErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), proxyDiscoveryTimeout)
		defer cancel()
		k.proxy, k.proxyErr = DiscoverClusterProxy(ctx, cfg, k.flags.ClusterProxy)
	})
	return k.proxy, k.proxyErr
}

// BindingConfig is the client configuration of a bound WEC: its context's,
// or the way through the ITS's cluster-proxy.
func (k *Kubeconfig) BindingConfig(ctx context.Context, cluster string, b Binding) (*rest.Config, error) {
	if b.By != BoundByClusterProxy {
		return k.RESTConfig(b.Context)
	}
	p, err := k.clusterProxy()
	if err != nil {
		return nil, err
	}
	cfg, err := p.RESTConfig(ctx, cluster)
	if err != nil {
		return nil, err
	}
	return k.finish(cfg), nil
}

// DefaultWDSContext is the context name KubeStellar's setup gives its first WDS.
const DefaultWDSContext = "wds1"

// WDSContext is the context of the WDS to read binding policies from: named
// (it must exist), else "wds1" when the kubeconfig has it, else "" (none).
func (k *Kubeconfig) WDSContext(named string) (string, error) {
	if named == "" {
		if _, ok := k.raw.Contexts[DefaultWDSContext]; ok {
			return DefaultWDSContext, nil
		}
		return "", nil
	}
	if _, ok := k.raw.Contexts[named]; !ok {
		return "", fmt.Errorf("context %q is not in the kubeconfig (%s); pass --wds-context with one of: %s",
			named, strings.Join(k.Paths, ":"), strings.Join(k.Contexts(), ", "))
	}
	return named, nil
}
