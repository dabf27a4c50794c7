package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
)

// The hub WEC benchmarks run the real binary against a sandbox with 1,000
// simulated WECs that exist only on the ITS, 10 ManifestWorks each (the
// one named by WECS_HUB_SANDBOX_DIR, else one started for them).
const hubWECs = 1000

// hubIdleFor is how long BenchmarkHubWECsTUIIdle watches the idle TUI.
const hubIdleFor = time.Minute

// BenchmarkHubWECsClustersOnScreen is the TUI from its start to the
// clusters view (C, typed at once) on screen with every cluster counted
// and the first hub WEC's row drawn.
func BenchmarkHubWECsClustersOnScreen(b *testing.B) {
	s := sandboxtest.HubWECs(b, hubWECs)
	bin := buildWecs(b)
	total := len(s.WECNames()) + 1 + s.HubWECs
	title := fmt.Sprintf("Clusters · %d of %d", total, total)
	for b.Loop() {
		term := tmuxtest.Start(b, 160, 50, bin+" tui --kubeconfig "+s.Kubeconfig)
		term.Keys("C")
		soonShown(b, term, time.Minute, func(screen string) bool {
			return strings.Contains(screen, title) && strings.Contains(screen, "\n"+sandbox.HubWECName(1)+" ")
		})
		b.StopTimer()
		term.Keys("Escape")
		term.WaitGone(10*time.Second, title)
		quitFromTheTree(term)
		b.StartTimer()
	}
}

// BenchmarkHubWECsClustersOnScreenFloor is the floor of the benchmark
// above: the cheapest read of what the clusters view needs, in the same
// kind of terminal: one LIST of the ITS's ManagedClusters as JSON (the
// only encoding the ITS serves them in), counted, not decoded.
func BenchmarkHubWECsClustersOnScreenFloor(b *testing.B) {
	s := sandboxtest.HubWECs(b, hubWECs)
	rawListFloor(b, s, "/apis/cluster.open-cluster-management.io/v1/managedclusters")
}

// rawListFloor is kubectl get --raw of path on the ITS in a terminal, from
// its start to the count of bytes read on screen.
func rawListFloor(b *testing.B, s *sandbox.State, path string) {
	for b.Loop() {
		term := tmuxtest.Start(b, 160, 50, "kubectl --kubeconfig "+s.Kubeconfig+" --context its1 get --raw "+path+" | wc -c | sed s/^/bytes:/")
		soonShown(b, term, time.Minute, func(screen string) bool { return strings.Contains(screen, "bytes:") })
	}
}

// BenchmarkHubWECsBindingsOnScreen is the TUI from its start to the
// bindings view (B, typed at once) on screen with the WDS's policies and
// the WECs each selects, as the ITS's ManagedClusters say: the desired
// side, while the ManifestWorks may still be listing.
func BenchmarkHubWECsBindingsOnScreen(b *testing.B) {
	selected := regexp.MustCompile(`Bindings · [1-9]\d* policies · [1-9]\d* WECs selected · `)
	benchBindingsView(b, selected.MatchString)
}

// BenchmarkHubWECsBindingsComplete is the TUI from its start to the
// bindings view with every copy's state known: the ITS's ManifestWorks
// listed and compared with the WDS's policies.
func BenchmarkHubWECsBindingsComplete(b *testing.B) {
	benchBindingsView(b, func(screen string) bool {
		return strings.Contains(screen, "WECs selected · ") && (strings.Contains(screen, " gaps (!)") || strings.Contains(screen, " no gaps"))
	})
}

// benchBindingsView times the TUI from its start, with B typed at once,
// until shown holds for the screen.
func benchBindingsView(b *testing.B, shown func(screen string) bool) {
	s := sandboxtest.HubWECs(b, hubWECs)
	bin := buildWecs(b)
	for b.Loop() {
		term := tmuxtest.Start(b, 160, 50, bin+" tui --kubeconfig "+s.Kubeconfig)
		term.Keys("B")
		soonShown(b, term, time.Minute, shown)
		b.StopTimer()
		term.Keys("Escape")
		term.WaitGone(10*time.Second, "WECs selected · ")
		quitFromTheTree(term)
		b.StartTimer()
	}
}

// BenchmarkHubWECsBindingsCompleteFloor is the floor of
// BenchmarkHubWECsBindingsComplete: the cheapest read of the ITS's ManifestWorks, which the bindings
// need whole, as rawListFloor reads it.
func BenchmarkHubWECsBindingsCompleteFloor(b *testing.B) {
	s := sandboxtest.HubWECs(b, hubWECs)
	rawListFloor(b, s, "/apis/work.open-cluster-management.io/v1/manifestworks")
}

// BenchmarkHubWECsBindingsCLI is wecs bindings across the 1,000 hub WECs,
// from start to exit: every policy's WECs and objects with their delivery
// state (it exits 2: some simulated copies are not available).
func BenchmarkHubWECsBindingsCLI(b *testing.B) {
	s := sandboxtest.HubWECs(b, hubWECs)
	bin := buildWecs(b)
	// monitoring-policy selects every hub WEC of an odd number: the last
	// of them must be listed.
	last := sandbox.HubWECName(s.HubWECs - 1 + s.HubWECs%2)
	for b.Loop() {
		out, err := exec.Command(bin, "bindings", "--kubeconfig", s.Kubeconfig).Output()
		if exit := (*exec.ExitError)(nil); err != nil && (!errors.As(err, &exit) || exit.ExitCode() != 2) {
			b.Fatalf("wecs bindings: %v", err)
		}
		if !strings.Contains(string(out), last) {
			b.Fatalf("wecs bindings does not list %s:\n%.2000s", last, out)
		}
	}
}

// BenchmarkHubWECsTUIIdle is the TUI's CPU (idle-cpu-%, of one core) and
// peak memory over a minute while nobody touches it, once the reachable
// WECs are connected and it has settled for 10 s, and its TCP connections
// (tcp-connections): only to the servers of the kubeconfig's contexts, as
// wecs has no way to reach a hub WEC and must open nothing for one.
func BenchmarkHubWECsTUIIdle(b *testing.B) {
	s := sandboxtest.HubWECs(b, hubWECs)
	bin := buildWecs(b)
	servers := kubeconfigPorts(b, s.Kubeconfig)
	for b.Loop() {
		pidFile := filepath.Join(b.TempDir(), "pid")
		term := tmuxtest.Start(b, 200, 50, "sh -c 'echo $$ >"+pidFile+"; exec "+bin+" tui --kubeconfig "+s.Kubeconfig+"'")
		pid := readPID(b, pidFile)
		reachable := len(s.WECNames()) + 1
		term.WaitFor(5*time.Minute, fmt.Sprintf("%d/%d WECs connected", reachable, reachable+s.HubWECs))
		time.Sleep(10 * time.Second)
		startCPU := cpuTime(b, pid)
		time.Sleep(hubIdleFor)
		b.ReportMetric(100*(cpuTime(b, pid)-startCPU).Seconds()/hubIdleFor.Seconds(), "idle-cpu-%")
		b.ReportMetric(float64(peakRSSKB(b, pid))/1024, "peak-rss-MB")
		conns := tcpPeerPorts(b, pid)
		for _, port := range conns {
			if !servers[port] {
				b.Errorf("wecs holds a TCP connection to port %d, no server of the kubeconfig's contexts %v", port, servers)
			}
		}
		// A few connections per server at most (client-go shares one per
		// transport): far fewer than one per WEC.
		if len(conns) > 4*len(servers) {
			b.Errorf("wecs holds %d TCP connections to %d servers: %v", len(conns), len(servers), conns)
		}
		b.ReportMetric(float64(len(conns)), "tcp-connections")
		b.StopTimer()
		quitFromTheTree(term)
		b.StartTimer()
	}
}

// kubeconfigPorts are the ports of the servers of a kubeconfig's clusters.
func kubeconfigPorts(b *testing.B, path string) map[int]bool {
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		b.Fatal(err)
	}
	out := map[int]bool{}
	for name, c := range cfg.Clusters {
		u, err := url.Parse(c.Server)
		if err != nil {
			b.Fatalf("cluster %s: %v", name, err)
		}
		port, err := strconv.Atoi(u.Port())
		if err != nil {
			b.Fatalf("cluster %s: server %s has no port", name, c.Server)
		}
		out[port] = true
	}
	return out
}

// tcpPeerPorts are the remote ports of the process's established TCP
// connections (its socket descriptors looked up in /proc/net/tcp and tcp6).
func tcpPeerPorts(b *testing.B, pid int) []int {
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		b.Fatal(err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if inode, ok := strings.CutPrefix(target, "socket:["); err == nil && ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	var ports []int
	for _, table := range []string{"tcp", "tcp6"} {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, table))
		if err != nil {
			b.Fatal(err)
		}
		for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			fields := strings.Fields(line)
			// local, remote, state (01 is ESTABLISHED), …, inode (10th).
			if i == 0 || len(fields) < 10 || fields[3] != "01" || !inodes[fields[9]] {
				continue
			}
			_, hexPort, _ := strings.Cut(fields[2], ":")
			port, err := strconv.ParseUint(hexPort, 16, 16)
			if err != nil {
				b.Fatalf("/proc/net/%s: remote address %q", table, fields[2])
			}
			ports = append(ports, int(port))
		}
	}
	return ports
}
