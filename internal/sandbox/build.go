package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/mod/modfile"
)

// Binaries are the paths of everything a sandbox runs, inside the cache.
type Binaries struct {
	Etcd              string
	APIServer         string
	ControllerManager string
	Scheduler         string
	Kwok              string
	// OCMRegistration runs the hub's registration controller
	// (`registration controller`).
	OCMRegistration string
	// KlusterletAgent is OCM's registration-operator binary, whose `agent`
	// command runs a WEC's registration and work agents in one process.
	KlusterletAgent string
	// ProxyServer and ProxyAgent are apiserver-network-proxy's server and
	// agent, which the cluster-proxy add-on runs on the ITS and on each WEC.
	ProxyServer, ProxyAgent string
	// KwokStages are kwok Stage manifests (node and pod lifecycles).
	KwokStages []string
	// HubCRDs and SpokeCRDs are the CRD manifests shipped in the OCM API
	// module, for the ITS and for each WEC.
	HubCRDs, SpokeCRDs []string
	// ProxyCRDs are the cluster-proxy add-on's CRDs, for the ITS.
	ProxyCRDs []string
}

// kwokStageFiles are the Stage manifests kwok needs, relative to the kwok
// module: node initialisation and heartbeat, the general pod lifecycle (with
// init containers) and the chaos stages that make a labelled pod fail. Nodes
// heartbeat as kubelets do: a Lease renewed every few seconds, and a status
// written again only every several minutes when nothing in it changed.
var kwokStageFiles = []string{
	"kustomize/stage/node/fast/node-initialize.yaml",
	"kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
	"kustomize/stage/pod/general/pod-create.yaml",
	"kustomize/stage/pod/general/pod-init-container-running.yaml",
	"kustomize/stage/pod/general/pod-init-container-completed.yaml",
	"kustomize/stage/pod/general/pod-ready.yaml",
	"kustomize/stage/pod/general/pod-complete.yaml",
	"kustomize/stage/pod/general/pod-delete.yaml",
	"kustomize/stage/pod/chaos/pod-container-running-failed.yaml",
}

// ocmHubCRDFiles are the CRDs installed on the ITS and ocmSpokeCRDFiles those
// installed on each WEC, relative to the open-cluster-management.io/api module.
var (
	ocmHubCRDFiles = []string{
		"cluster/v1/0000_00_clusters.open-cluster-management.io_managedclusters.crd.yaml",
		"cluster/v1beta2/0000_00_clusters.open-cluster-management.io_managedclustersets.crd.yaml",
		"cluster/v1beta2/0000_01_clusters.open-cluster-management.io_managedclustersetbindings.crd.yaml",
		"cluster/v1beta1/0000_02_clusters.open-cluster-management.io_placements.crd.yaml",
		"cluster/v1beta1/0000_03_clusters.open-cluster-management.io_placementdecisions.crd.yaml",
		"work/v1/0000_00_work.open-cluster-management.io_manifestworks.crd.yaml",
		// The registration controller and agents watch add-ons, though the
		// sandbox runs none.
		"addon/v1alpha1/0000_00_addon.open-cluster-management.io_clustermanagementaddons.crd.yaml",
		"addon/v1alpha1/0000_01_addon.open-cluster-management.io_managedclusteraddons.crd.yaml",
	}
	clusterProxyCRDFiles = []string{"charts/cluster-proxy/crds/managedproxyconfigurations.yaml"}
	ocmSpokeCRDFiles     = []string{
		"cluster/v1alpha1/0000_02_clusters.open-cluster-management.io_clusterclaims.crd.yaml",
		"work/v1/0000_01_work.open-cluster-management.io_appliedmanifestworks.crd.yaml",
	}
)

// CacheDir is where the pinned binaries live:
// $XDG_CACHE_HOME/wecs/sandbox/<version-set> (or the OS cache directory).
func CacheDir() (string, error) {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		var err error
		if base, err = os.UserCacheDir(); err != nil {
			return "", fmt.Errorf("no cache directory: set XDG_CACHE_HOME: %w", err)
		}
	}
	return filepath.Join(base, "wecs", "sandbox", versionSet()), nil
}

// EnsureBinaries returns the sandbox's binaries, building any that are missing
// from Go modules first. Progress goes to progress. Concurrent callers (two
// test binaries, say) wait for each other instead of building twice.
func EnsureBinaries(ctx context.Context, progress io.Writer) (*Binaries, error) {
	dir, err := CacheDir()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create cache %s: %w", dir, err)
	}
	unlock, err := lockFile(filepath.Join(dir, ".lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()

	bin := filepath.Join(dir, "bin")
	b := &Binaries{
		Etcd:              filepath.Join(bin, "etcd"),
		APIServer:         filepath.Join(bin, "kube-apiserver"),
		ControllerManager: filepath.Join(bin, "kube-controller-manager"),
		Scheduler:         filepath.Join(bin, "kube-scheduler"),
		Kwok:              filepath.Join(bin, "kwok"),
		OCMRegistration:   filepath.Join(bin, "registration"),
		KlusterletAgent:   filepath.Join(bin, "registration-operator"),
		ProxyServer:       filepath.Join(bin, "proxy-server-"+NetworkProxyVersion),
		ProxyAgent:        filepath.Join(bin, "proxy-agent-"+NetworkProxyVersion),
	}
	g := &goTool{progress: progress}
	if _, err := exec.LookPath("go"); err != nil {
		return nil, errors.New("the sandbox builds its control planes with the go command, which is not on PATH: install Go 1.26 or newer")
	}
	steps := []struct {
		what    string
		outputs []string
		build   func() error
	}{
		{"etcd " + EtcdVersion, []string{b.Etcd}, func() error { return g.buildEtcd(ctx, filepath.Join(dir, "src", "etcd"), bin) }},
		{"kube-apiserver, kube-controller-manager, kube-scheduler " + KubernetesVersion + " (about 5 minutes the first time)",
			[]string{b.APIServer, b.ControllerManager, b.Scheduler},
			func() error { return g.buildKubernetes(ctx, filepath.Join(dir, "src", "kubernetes"), bin) }},
		{"kwok " + KwokVersion, []string{b.Kwok}, func() error {
			return g.run(ctx, "", []string{"GOBIN=" + bin}, "install", "sigs.k8s.io/kwok/cmd/kwok@"+KwokVersion)
		}},
		{"OCM registration controller and klusterlet agent " + OCMVersion + " (about 5 minutes the first time)",
			[]string{b.OCMRegistration, b.KlusterletAgent},
			func() error { return g.buildOCM(ctx, filepath.Join(dir, "src", "ocm"), bin) }},
		{"apiserver-network-proxy server and agent " + NetworkProxyVersion + " (about 5 minutes the first time)",
			[]string{b.ProxyServer, b.ProxyAgent},
			func() error {
				return g.buildNetworkProxy(ctx, filepath.Join(dir, "src", "apiserver-network-proxy"), b.ProxyServer, b.ProxyAgent)
			}},
	}
	for _, s := range steps {
		if allExist(s.outputs) {
			continue
		}
		fmt.Fprintf(progress, "building %s ...\n", s.what)
		start := time.Now()
		if err := g.withTicker(s.what, s.build); err != nil {
			return nil, fmt.Errorf("build %s: %w", s.what, err)
		}
		fmt.Fprintf(progress, "built %s in %s\n", s.what, time.Since(start).Round(time.Second))
	}
	if b.KwokStages, err = g.copyFromModule(ctx, "sigs.k8s.io/kwok@"+KwokVersion, kwokStageFiles, filepath.Join(dir, "kwok-stages")); err != nil {
		return nil, err
	}
	ocm := "open-cluster-management.io/api@" + OCMAPIVersion
	if b.HubCRDs, err = g.copyFromModule(ctx, ocm, ocmHubCRDFiles, filepath.Join(dir, "ocm-crds")); err != nil {
		return nil, err
	}
	if b.SpokeCRDs, err = g.copyFromModule(ctx, ocm, ocmSpokeCRDFiles, filepath.Join(dir, "ocm-crds")); err != nil {
		return nil, err
	}
	proxy := "open-cluster-management.io/cluster-proxy@" + ClusterProxyVersion
	if b.ProxyCRDs, err = g.copyFromModule(ctx, proxy, clusterProxyCRDFiles, filepath.Join(dir, "cluster-proxy-crds")); err != nil {
		return nil, err
	}
	return b, nil
}

func allExist(paths []string) bool {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return false
		}
	}
	return true
}

// lockFile takes an exclusive advisory lock, waiting for another holder.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// goTool runs the go command for the builds.
type goTool struct {
	progress io.Writer
}

// withTicker runs build, saying every 30 s that it is still going.
func (g *goTool) withTicker(what string, build func() error) error {
	done := make(chan struct{})
	defer close(done)
	start := time.Now()
	go func() {
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintf(g.progress, "  still building %s (%s)\n", what, time.Since(start).Round(time.Second))
			}
		}
	}()
	return build()
}

// run runs go with args in dir; on failure the error carries the tail of its output.
func (g *goTool) run(ctx context.Context, dir string, env []string, args ...string) error {
	_, err := g.output(ctx, dir, env, args...)
	return err
}

func (g *goTool) output(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	// GONOSUMDB: a test-only dependency of the OCM modules is unknown to the
	// checksum database; it is never built.
	// The checksum database does not answer for apiserver-network-proxy and
	// cluster-proxy either; their go.sum files pin what they need.
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod",
		"GONOSUMDB=sigs.k8s.io/about-api,sigs.k8s.io/apiserver-network-proxy,open-cluster-management.io/cluster-proxy")
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, lastLines(stderr.String(), 15))
	}
	return stdout.Bytes(), nil
}

// moduleDir downloads module@version into the module cache and returns its
// directory and go.mod path.
func (g *goTool) moduleDir(ctx context.Context, modVersion string) (dir, goMod string, err error) {
	out, err := g.output(ctx, "", nil, "mod", "download", "-json", modVersion)
	if err != nil {
		return "", "", err
	}
	var info struct{ Dir, GoMod, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", "", fmt.Errorf("read go mod download output for %s: %w", modVersion, err)
	}
	if info.Error != "" {
		return "", "", fmt.Errorf("download %s: %s", modVersion, info.Error)
	}
	return info.Dir, info.GoMod, nil
}

// copyFromModule copies files out of a module into dest and returns their new paths.
func (g *goTool) copyFromModule(ctx context.Context, modVersion string, files []string, dest string) ([]string, error) {
	var paths []string
	var missing bool
	for _, f := range files {
		p := filepath.Join(dest, filepath.Base(f))
		paths = append(paths, p)
		if _, err := os.Stat(p); err != nil {
			missing = true
		}
	}
	if !missing {
		return paths, nil
	}
	src, _, err := g.moduleDir(ctx, modVersion)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return nil, err
	}
	for i, f := range files {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			return nil, fmt.Errorf("read %s from %s: %w", f, modVersion, err)
		}
		if err := os.WriteFile(paths[i], data, 0o644); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// writeModule writes a throw-away module (go.mod and one Go file) into dir.
func writeModule(dir, goMod, fileName, source string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(goMod), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, fileName), []byte(source), 0o644)
}

// buildEtcd builds etcd through a module whose main calls etcdmain.Main: etcd's
// own go.mod has replace directives, so go install refuses it.
func (g *goTool) buildEtcd(ctx context.Context, src, bin string) error {
	goMod := "module sandbox/etcd\n\ngo 1.26\n\nrequire go.etcd.io/etcd/server/v3 " + EtcdVersion + "\n"
	main := `package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
`
	if err := writeModule(src, goMod, "main.go", main); err != nil {
		return err
	}
	if err := g.run(ctx, src, nil, "mod", "tidy", "-e"); err != nil {
		return err
	}
	return g.run(ctx, src, nil, "build", "-o", filepath.Join(bin, "etcd"), ".")
}

// buildKubernetes builds the three control-plane binaries through a module
// that requires k8s.io/kubernetes and maps each staging module it replaces
// locally to the published version.
func (g *goTool) buildKubernetes(ctx context.Context, src, bin string) error {
	_, goModPath, err := g.moduleDir(ctx, "k8s.io/kubernetes@"+KubernetesVersion)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(goModPath)
	if err != nil {
		return err
	}
	upstream, err := modfile.Parse(goModPath, data, nil)
	if err != nil {
		return fmt.Errorf("parse k8s.io/kubernetes go.mod: %w", err)
	}
	var goMod strings.Builder
	goMod.WriteString("module sandbox/kubernetes\n\ngo 1.26\n\nrequire k8s.io/kubernetes " + KubernetesVersion + "\n\nreplace (\n")
	for _, r := range upstream.Replace {
		if strings.HasPrefix(r.New.Path, "./staging/") {
			fmt.Fprintf(&goMod, "\t%s => %s %s\n", r.Old.Path, r.Old.Path, StagingVersion)
		}
	}
	goMod.WriteString(")\n")
	var commands []string
	for _, c := range []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler"} {
		commands = append(commands, "k8s.io/kubernetes/cmd/"+c)
	}
	if err := writeModule(src, goMod.String(), "tools.go", toolsFile(commands)); err != nil {
		return err
	}
	if err := g.run(ctx, src, nil, "mod", "tidy", "-e"); err != nil {
		return err
	}
	minor := strings.Split(strings.TrimPrefix(KubernetesVersion, "v"), ".")
	ldflags := fmt.Sprintf("-X k8s.io/component-base/version.gitVersion=%s -X k8s.io/component-base/version.gitMajor=%s -X k8s.io/component-base/version.gitMinor=%s -X k8s.io/component-base/version.gitTreeState=clean",
		KubernetesVersion, minor[0], minor[1])
	args := []string{"build", "-ldflags", ldflags, "-o", bin + string(filepath.Separator)}
	return g.run(ctx, src, nil, append(args, commands...)...)
}

// buildOCM builds OCM's registration and registration-operator commands
// through a module that requires open-cluster-management.io/ocm at an exact
// version (the module proxy refuses to list its versions, so go install
// cannot name it).
func (g *goTool) buildOCM(ctx context.Context, src, bin string) error {
	goMod := "module sandbox/ocm\n\ngo 1.26\n\nrequire open-cluster-management.io/ocm " + OCMVersion + "\n"
	commands := []string{"open-cluster-management.io/ocm/cmd/registration", "open-cluster-management.io/ocm/cmd/registration-operator"}
	if err := writeModule(src, goMod, "tools.go", toolsFile(commands)); err != nil {
		return err
	}
	if err := g.run(ctx, src, nil, "mod", "tidy", "-e"); err != nil {
		return err
	}
	return g.run(ctx, src, nil, append([]string{"build", "-o", bin + string(filepath.Separator)}, commands...)...)
}

// buildNetworkProxy builds apiserver-network-proxy's server and agent from a
// copy of its module: its go.mod replaces the konnectivity-client module
// with a directory the published module leaves out, and its vendor directory
// is incomplete, so the copy requires the published client instead.
func (g *goTool) buildNetworkProxy(ctx context.Context, src, server, agent string) error {
	mod, _, err := g.moduleDir(ctx, "sigs.k8s.io/apiserver-network-proxy@"+NetworkProxyVersion)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(src); err != nil {
		return err
	}
	if err := os.CopyFS(src, os.DirFS(mod)); err != nil {
		return fmt.Errorf("copy apiserver-network-proxy: %w", err)
	}
	if err := os.RemoveAll(filepath.Join(src, "vendor")); err != nil {
		return err
	}
	goModPath := filepath.Join(src, "go.mod")
	data, err := os.ReadFile(goModPath)
	if err != nil {
		return err
	}
	goMod, err := modfile.Parse(goModPath, data, nil)
	if err != nil {
		return fmt.Errorf("parse apiserver-network-proxy go.mod: %w", err)
	}
	const client = "sigs.k8s.io/apiserver-network-proxy/konnectivity-client"
	if err := goMod.DropReplace(client, ""); err != nil {
		return err
	}
	if err := goMod.AddReplace(client, "", client, NetworkProxyVersion); err != nil {
		return err
	}
	if data, err = goMod.Format(); err != nil {
		return err
	}
	if err := os.WriteFile(goModPath, data, 0o644); err != nil {
		return err
	}
	for out, cmd := range map[string]string{server: "./cmd/server", agent: "./cmd/agent"} {
		if err := g.run(ctx, src, nil, "build", "-o", out, cmd); err != nil {
			return err
		}
	}
	return nil
}

// toolsFile is a Go file that imports the packages of commands, so that go
// mod tidy records what they need.
func toolsFile(commands []string) string {
	var b strings.Builder
	b.WriteString("//go:build tools\n\npackage tools\n\nimport (\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "\t_ %q\n", c)
	}
	b.WriteString(")\n")
	return b.String()
}

// lastLines returns at most n trailing lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
