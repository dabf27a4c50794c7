// Package sandboxtest gives integration tests a running sandbox fleet: the
// one named by $WECS_SANDBOX_DIR, or one started for the test binary (and
// stopped when it ends). Missing binaries are built, never skipped.
package sandboxtest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	clusterclient "open-cluster-management.io/api/client/cluster/clientset/versioned"
	clusterv1client "open-cluster-management.io/api/client/cluster/clientset/versioned/typed/cluster/v1"
	clusterv1 "open-cluster-management.io/api/cluster/v1"

	"github.com/wecs-tui/wecs/internal/sandbox"
)

// DirEnv names a running sandbox to reuse instead of starting one.
const DirEnv = "WECS_SANDBOX_DIR"

// HubDirEnv names a running sandbox with simulated hub WECs to reuse
// instead of starting one (make bench starts one with 1,000).
const HubDirEnv = "WECS_HUB_SANDBOX_DIR"

// startTimeout covers a cold build of every binary (about 8 minutes on two
// cores) plus the start itself.
const startTimeout = 25 * time.Minute

// sharedSandbox is a sandbox started once per test binary, or reused.
type sharedSandbox struct {
	once    sync.Once
	state   *sandbox.State
	err     error
	started bool
}

var shared, hub sharedSandbox

// Main is TestMain for packages that use a sandbox: it lets the test binary
// serve as the sandbox's log feeder and port server, runs the tests and
// stops the sandbox it started.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is Main for a TestMain that has more to clean up: it returns the exit code.
func Run(m *testing.M) int {
	sandbox.RunHelperIfAsked()
	code := m.Run()
	for _, sb := range []*sharedSandbox{&shared, &hub} {
		if sb.started && sb.state != nil {
			if err := sb.state.Down(); err != nil {
				fmt.Fprintln(os.Stderr, "sandboxtest: stop the sandbox:", err)
				code = 1
			}
		}
	}
	return code
}

// Shared returns the sandbox the package's tests share (three accepted WECs
// and a pending one, three nodes each). Tests must not stop its components
// or accept its pending WEC; use New for that.
func Shared(t testing.TB) *sandbox.State {
	t.Helper()
	shared.once.Do(func() {
		if dir := os.Getenv(DirEnv); dir != "" {
			shared.state, shared.err = sandbox.Load(dir)
			if shared.err == nil && len(shared.state.Crashed()) > 0 {
				shared.err = fmt.Errorf("the sandbox in %s (%s) has crashed components; run wecs-sandbox status --dir %s", dir, DirEnv, dir)
			}
			return
		}
		dir, err := os.MkdirTemp("", "wecs-sandbox-")
		if err != nil {
			shared.err = err
			return
		}
		shared.started = true
		shared.state, shared.err = start(sandbox.Options{Dir: dir, WECs: 3, Nodes: 3})
	})
	if shared.err != nil {
		t.Fatalf("sandbox: %v", shared.err)
	}
	return shared.state
}

// HubWECs returns a sandbox with at least n simulated hub WECs (see
// sandbox.Options.HubWECs), one WEC and a pending one: the one named by
// $WECS_HUB_SANDBOX_DIR, or one started for the test binary.
func HubWECs(t testing.TB, n int) *sandbox.State {
	t.Helper()
	hub.once.Do(func() {
		if dir := os.Getenv(HubDirEnv); dir != "" {
			hub.state, hub.err = sandbox.Load(dir)
			if hub.err == nil && len(hub.state.Crashed()) > 0 {
				hub.err = fmt.Errorf("the sandbox in %s (%s) has crashed components; run wecs-sandbox status --dir %s", dir, HubDirEnv, dir)
			}
			return
		}
		dir, err := os.MkdirTemp("", "wecs-hub-sandbox-")
		if err != nil {
			hub.err = err
			return
		}
		hub.started = true
		hub.state, hub.err = start(sandbox.Options{Dir: dir, WECs: 1, Nodes: 1, HubWECs: n})
	})
	if hub.err != nil {
		t.Fatalf("sandbox: %v", hub.err)
	}
	if hub.state.HubWECs < n {
		t.Fatalf("the sandbox in %s has %d hub WECs, not %d: start one with wecs-sandbox up --hub-wecs %d", hub.state.Dir, hub.state.HubWECs, n, n)
	}
	return hub.state
}

// New starts a private sandbox for one test, stopped when the test ends.
// Options.Dir is filled in when empty.
func New(t testing.TB, opts sandbox.Options) *sandbox.State {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	s, err := start(opts)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Down(); err != nil {
			t.Errorf("stop sandbox: %v", err)
		}
	})
	return s
}

func start(opts sandbox.Options) (*sandbox.State, error) {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	opts.Progress = os.Stderr
	opts.DieWithParent = true
	return sandbox.Up(ctx, opts)
}

// ManagedCluster creates mc on the sandbox's ITS, as a cluster that joins
// would appear, and removes it when the test ends.
func ManagedCluster(t testing.TB, s *sandbox.State, mc *clusterv1.ManagedCluster) *clusterv1.ManagedCluster {
	t.Helper()
	created, err := managedClusters(t, s).Create(t.Context(), mc, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { RemoveManagedCluster(t, s, mc.Name) })
	return created
}

// RemoveManagedCluster deletes a ManagedCluster from the ITS and waits
// until it is gone (other tests count the ITS's clusters), taking off the
// hub's finalizers if the hub's own cleanup does not end in time.
func RemoveManagedCluster(t testing.TB, s *sandbox.State, name string) {
	t.Helper()
	mcs, bg := managedClusters(t, s), context.Background()
	_ = mcs.Delete(bg, name, metav1.DeleteOptions{})
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		if _, err := mcs.Get(bg, name, metav1.GetOptions{}); apierrors.IsNotFound(err) {
			return
		}
		if time.Until(deadline) < 60*time.Second {
			_, _ = mcs.Patch(bg, name, types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
		}
	}
	t.Errorf("ManagedCluster %s still there 90s after its deletion", name)
}

func managedClusters(t testing.TB, s *sandbox.State) clusterv1client.ManagedClusterInterface {
	cfg, err := s.RESTConfig("its1")
	if err != nil {
		t.Fatal(err)
	}
	return clusterclient.NewForConfigOrDie(cfg).ClusterV1().ManagedClusters()
}
