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
		{"--context as kubectl users type it", twoContexts, []string{"--context", "kind-hub"}, "kind-hub", ""},
		{"both flags agreeing", twoContexts, []string{"--context", "kind-hub", "--its-context", "kind-hub"}, "kind-hub", ""},
		{"both flags differing", twoContexts, []string{"--context", "kind-hub", "--its-context", "its1"}, "", "name different contexts; give only one"},
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

func TestAsUserExtraIsImpersonated(t *testing.T) {
	kc := loadWith(t, twoContexts, "--as", "alice", "--as-user-extra", "reason=debug", "--as-user-extra", "reason=oncall", "--as-user-extra", "team=")
	cfg, err := kc.RESTConfig("its1")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Impersonate.Extra; strings.Join(got["reason"], ",") != "debug,oncall" || len(got["team"]) != 1 {
		t.Errorf("impersonated extras %v", got)
	}
	f := NewFlags()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	f.AddFlags(fs)
	if err := fs.Parse([]string{"--as-user-extra", "reason"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.LoadKubeconfig(); err == nil || !strings.Contains(err.Error(), "write KEY=VALUE") {
		t.Errorf("a malformed --as-user-extra gave %v", err)
	}
}

func TestExecPluginsGetNoStdinWhenTheTUIOwnsIt(t *testing.T) {
	withExec := strings.Replace(twoContexts, "  user: {token: t}", "  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: login-helper, interactiveMode: IfAvailable}", 1)
	kc := loadWith(t, withExec)
	for _, noStdin := range []bool{false, true} {
		kc.flags.NoStdin = noStdin
		cfg, err := kc.RESTConfig("its1")
		if err != nil {
			t.Fatal(err)
		}
		if cfg.ExecProvider == nil || cfg.ExecProvider.StdinUnavailable != noStdin {
			t.Fatalf("NoStdin %v: exec provider %+v", noStdin, cfg.ExecProvider)
		}
		if noStdin && !strings.Contains(cfg.ExecProvider.StdinUnavailableMessage, "log in first") {
			t.Errorf("message %q does not say what to do", cfg.ExecProvider.StdinUnavailableMessage)
		}
	}
}
