package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Cluster is one control plane of the sandbox.
type Cluster struct {
	// Name is also the kubeconfig context: "its1", "cluster1" ...
	Name string `json:"name"`
	// ITS is true for the hub, false for a WEC.
	ITS    bool   `json:"its,omitempty"`
	Server string `json:"server"`
	CAFile string `json:"caFile"`
	// Kubeconfig holds only this cluster, for its own components.
	Kubeconfig string `json:"kubeconfig"`
}

// State is what a running sandbox records in DIR/state.json.
type State struct {
	Dir string `json:"dir"`
	// Kubeconfig has one context per cluster, named like the cluster.
	Kubeconfig string `json:"kubeconfig"`
	WECs       int    `json:"wecs"`
	Nodes      int    `json:"nodes"`
	Pods       int    `json:"pods"`
	// HubWECs is the number of simulated WECs that exist only on the ITS.
	HubWECs int `json:"hubWECs,omitempty"`
	// Pending is the WEC that joined the ITS but was not accepted (until
	// Accept or a user accepts it).
	Pending    string       `json:"pending"`
	Clusters   []Cluster    `json:"clusters"`
	Components []*Component `json:"components"`
	// Ready is set once the whole fleet is up and seeded.
	Ready bool `json:"ready"`
}

const stateFile = "state.json"

// ErrNoSandbox is returned by Load when DIR holds no sandbox.
var ErrNoSandbox = errors.New("no sandbox")

// Load reads the state of the sandbox in dir.
func Load(dir string) (*State, error) {
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s (start one with: wecs-sandbox up --dir %s)", ErrNoSandbox, dir, dir)
	}
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("read %s: %w (remove the directory to start afresh)", filepath.Join(dir, stateFile), err)
	}
	return &s, nil
}

func (s *State) save() error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(s.Dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(s.Dir, stateFile))
}

// Cluster returns the sandbox cluster called name.
func (s *State) Cluster(name string) (Cluster, bool) {
	for _, c := range s.Clusters {
		if c.Name == name {
			return c, true
		}
	}
	return Cluster{}, false
}

// WECNames are the names of the WECs the sandbox accepted, cluster1 …
// clusterN (not the Pending one).
func (s *State) WECNames() []string {
	var names []string
	for _, c := range s.Clusters {
		if !c.ITS && c.Name != s.Pending {
			names = append(names, c.Name)
		}
	}
	return names
}

// RESTConfig is a client configuration for the named context of the
// sandbox's kubeconfig.
func (s *State) RESTConfig(context string) (*rest.Config, error) {
	loader := &clientcmd.ClientConfigLoadingRules{ExplicitPath: s.Kubeconfig}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(loader, &clientcmd.ConfigOverrides{CurrentContext: context}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("context %s of %s: %w", context, s.Kubeconfig, err)
	}
	cfg.QPS, cfg.Burst = 200, 400
	cfg.WarningHandler = rest.NoWarnings{}
	return cfg, nil
}

// ComponentStatus is one line of `wecs-sandbox status`.
type ComponentStatus struct {
	Name    string
	PID     int
	Port    int
	Running bool
	Log     string
}

// Status says which components run; a crashed one shows Running false.
func (s *State) Status() []ComponentStatus {
	var out []ComponentStatus
	for _, c := range s.Components {
		out = append(out, ComponentStatus{Name: c.Name, PID: c.PID, Port: c.Port, Running: c.Alive(), Log: c.Log})
	}
	return out
}

// Crashed lists the components that no longer run, with the end of each log.
func (s *State) Crashed() []error {
	var errs []error
	for _, c := range s.Components {
		if !c.Alive() {
			errs = append(errs, c.diedError())
		}
	}
	return errs
}

// Component returns the component called name ("cluster3/kube-apiserver").
func (s *State) Component(name string) (*Component, bool) {
	for _, c := range s.Components {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}
