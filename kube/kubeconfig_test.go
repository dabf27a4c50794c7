package kube

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

const twoContexts = `apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: t}
contexts:
- name: its1
  context: {cluster: a, user: u}
- name: kind-hub
  context: {cluster: a, user: u}
current-context: kind-hub
`

func loadWith(t *testing.T, kubeconfig string, args ...string) *Kubeconfig {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	f := NewFlags()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	f.AddFlags(fs)
	if err := fs.Parse(append([]string{"--kubeconfig", path}, args...)); err != nil {
		t.Fatal(err)
	}
	kc, err := f.LoadKubeconfig()
	if err != nil {
		t.Fatal(err)
	}
	return kc
}

func TestITSContextChoice(t *testing.T) {
	noIts1 := strings.Replace(twoContexts, "- name: its1\n", "- name: other\n", 1)
	cases := []struct {
		name, kubeconfig string
		args             []string
		want, wantErr    string
	}{
		{"its1 preferred over the current context", twoContexts, nil, "its1", ""},
		{"flag wins", twoContexts, []string{"--its-context", "kind-hub"}, "kind-hub", ""},
		{"current context without its1", noIts1, nil, "kind-hub", ""},
		{"unknown context lists the known ones", twoContexts, []string{"--its-context", "nope"}, "", `context "nope" is not in the kubeconfig`},
		{"no current context and no its1", strings.Replace(noIts1, "current-context: kind-hub\n", "", 1), nil, "", "pick one of: kind-hub, other"},
		{"no contexts at all", "apiVersion: v1\nkind: Config\n", nil, "", "has no contexts"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := loadWith(t, c.kubeconfig, c.args...).ITSContext()
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestRESTConfigAppliesFleetWideFlags(t *testing.T) {
	kc := loadWith(t, twoContexts, "--as", "alice", "--as-group", "ops", "--request-timeout", "7s")
	cfg, err := kc.RESTConfig("its1")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "https://127.0.0.1:1" || cfg.Impersonate.UserName != "alice" || len(cfg.Impersonate.Groups) != 1 || cfg.Timeout.String() != "7s" {
		t.Errorf("config host=%s impersonate=%+v timeout=%s", cfg.Host, cfg.Impersonate, cfg.Timeout)
	}
	if !strings.HasPrefix(cfg.UserAgent, "wecs/") {
		t.Errorf("user agent %q, want wecs/<version>", cfg.UserAgent)
	}
	if _, err := kc.RESTConfig("missing"); err == nil {
		t.Error("a missing context gave a config")
	}
}
