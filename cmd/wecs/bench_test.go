package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/internal/tmuxtest"
	"github.com/wecs-tui/wecs/kube"
)

// The benchmarks of the real binary run against the sandbox named by
// WECS_SANDBOX_DIR (make bench starts one with 150 nodes and 3,500 pods per
// WEC), else against the package's own small sandbox. Each figure is a
// whole run of the binary, from process start.

// BenchmarkTUIAllConnected is the time from starting wecs tui in a terminal
// to its header saying every WEC is connected (the tree complete); the
// screen is read every 10 ms or so.
func BenchmarkTUIAllConnected(b *testing.B) {
	s := sandboxtest.Shared(b)
	bin := buildWecs(b)
	all := fmt.Sprintf("%d/%d WECs connected", len(s.WECNames())+1, len(s.WECNames())+1)
	for b.Loop() {
		term := tmuxtest.Start(b, 160, 40, bin+" tui --kubeconfig "+s.Kubeconfig)
		soonShown(b, term, 5*time.Minute, func(screen string) bool { return strings.Contains(screen, all) })
		b.StopTimer()
		quitFromTheTree(term)
		b.StartTimer()
	}
}

// BenchmarkTUIClustersOnScreen is the TUI from its start to every WEC the
// ITS knows on screen as a row, whether connected yet or not.
func BenchmarkTUIClustersOnScreen(b *testing.B) {
	s := sandboxtest.Shared(b)
	bin := buildWecs(b)
	rows := append(s.WECNames(), s.Pending)
	for b.Loop() {
		term := tmuxtest.Start(b, 160, 40, bin+" tui --kubeconfig "+s.Kubeconfig)
		soonShown(b, term, time.Minute, func(screen string) bool { return showsEvery(screen, rows) })
		b.StopTimer()
		quitFromTheTree(term)
		b.StartTimer()
	}
}

// BenchmarkClustersOnScreenFloor is the floor of the benchmark above:
// kubectl get managedclusters in the same kind of terminal, from its start
// to every cluster's name on screen. Both pay for starting a process and a
// terminal on this machine; kubectl draws nothing but the list.
func BenchmarkClustersOnScreenFloor(b *testing.B) {
	s := sandboxtest.Shared(b)
	names := append(s.WECNames(), s.Pending)
	for b.Loop() {
		term := tmuxtest.Start(b, 160, 40, "kubectl --kubeconfig "+s.Kubeconfig+" --context its1 get managedclusters")
		soonShown(b, term, time.Minute, func(screen string) bool {
			return !slices.ContainsFunc(names, func(name string) bool { return !strings.Contains("\n"+screen, "\n"+name+" ") })
		})
	}
}

// soonShown reads the screen every 10 ms (tmuxtest's WaitFor reads it every
// 100 ms, too seldom for a figure) until shown holds for it. It reads
// through a control client, which costs the machine it measures far less
// than a tmux process a read.
func soonShown(b *testing.B, term *tmuxtest.Session, timeout time.Duration, shown func(screen string) bool) {
	screens := term.Reader()
	defer screens.Close()
	for deadline := time.Now().Add(timeout); !shown(screens.Screen()); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("not shown within %s:\n%s", timeout, screens.Screen())
		}
	}
}

// showsEvery reports whether screen has a tree row for each cluster: a
// line that starts with its name, after the marker of a row that opens.
func showsEvery(screen string, clusters []string) bool {
	lines := strings.Split(screen, "\n")
	for _, c := range clusters {
		if !slices.ContainsFunc(lines, func(line string) bool {
			return slices.ContainsFunc([]string{"  ", "▸ ", "▾ "}, func(marker string) bool { return strings.HasPrefix(line, marker+c+" ") })
		}) {
			return false
		}
	}
	return true
}

// BenchmarkGetPods is wecs get --kind po across the fleet, start to exit.
func BenchmarkGetPods(b *testing.B) {
	s := sandboxtest.Shared(b)
	bin := buildWecs(b)
	for b.Loop() {
		if out, err := exec.Command(bin, "get", "--kind", "po", "--kubeconfig", s.Kubeconfig).CombinedOutput(); err != nil {
			b.Fatalf("wecs get: %v\n%s", err, out)
		}
	}
}

// BenchmarkRawListPodsFloor is the floor of wecs get --kind po: one LIST of
// the pods of every WEC, all at once, read but not decoded, as
// kubectl get --raw /api/v1/pods reads them.
func BenchmarkRawListPodsFloor(b *testing.B) {
	s := sandboxtest.Shared(b)
	clients := restClients(b, s)
	for b.Loop() {
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Go(func() {
				if _, err := c.Get().AbsPath("/api/v1/pods").DoRaw(context.Background()); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
}

// restClients are plain clients of the sandbox's WECs.
func restClients(b *testing.B, s *sandbox.State) []rest.Interface {
	var out []rest.Interface
	for _, name := range s.WECNames() {
		cfg, err := s.RESTConfig(name)
		if err != nil {
			b.Fatal(err)
		}
		cs, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, cs.CoreV1().RESTClient())
	}
	return out
}

// burstRate and burstFor shape BenchmarkTUIBurst: pod changes per second,
// spread over the WECs, and how long.
const (
	burstRate = 200
	burstFor  = 15 * time.Second
)

// BenchmarkTUIBurst runs the TUI, connected to the whole fleet and showing
// a pod's Summary, while burstRate pods a second change a label the tree
// keeps (each change reaches the UI). It reports the TUI's CPU during the
// burst (burst-cpu-%, of one core), the changes the servers took a second
// (changes/s: a loaded machine's servers may take fewer than burstRate) and
// how far the screen is behind: once a second the shown pod gets a new
// label, and behind-max-ms is the longest time from the server's answer to
// that write to the label on screen. floor-behind-max-ms is the same for a
// plain watch of that pod in this process: no screen can be sooner.
func BenchmarkTUIBurst(b *testing.B) {
	s := sandboxtest.Shared(b)
	bin := buildWecs(b)
	clients := podClients(b, s)
	probe := clients[s.WECNames()[0]]
	for b.Loop() {
		term, pid := connectedTUI(b, bin, s)
		term.Keys("/", sandbox.LoggingPod, "Enter", "d")
		// Conditions are read from the pane's own watch of the pod: the
		// pane is live, not still reading the object.
		term.WaitFor(30*time.Second, "[Summary]", "Pod shop/"+sandbox.LoggingPod, "Conditions")

		ctx, stop := context.WithTimeout(context.Background(), burstFor)
		var burst sync.WaitGroup
		var changes int64
		burst.Go(func() { changes = changePods(ctx, b, clients) })
		// The watch outlives the burst: the last probe is written just before it ends.
		watchCtx, stopWatch := context.WithCancel(context.Background())
		watched := watchProbe(watchCtx, b, probe.client, "shop", sandbox.LoggingPod)
		startCPU, start := cpuTime(b, pid), time.Now()
		var worst, floorWorst time.Duration
		for seq := 1; ctx.Err() == nil; seq++ {
			value := fmt.Sprintf("p%d", seq)
			label := probeLabel + "=" + value
			if !labelPod(context.Background(), b, probe.client, "shop", sandbox.LoggingPod, label) {
				b.Fatalf("the probe's label could not be written")
			}
			// From when the server has it: no screen can show it sooner.
			written := time.Now()
			soonShown(b, term, 30*time.Second, func(screen string) bool { return strings.Contains(screen, label) })
			worst = max(worst, time.Since(written))
			floorWorst = max(floorWorst, watched.seen(b, value).Sub(written))
			time.Sleep(time.Until(written.Add(time.Second)))
		}
		burst.Wait()
		stop()
		stopWatch()
		elapsed := time.Since(start)
		cpu := cpuTime(b, pid) - startCPU
		b.ReportMetric(100*cpu.Seconds()/elapsed.Seconds(), "burst-cpu-%")
		b.ReportMetric(float64(worst.Milliseconds()), "behind-max-ms")
		b.ReportMetric(float64(floorWorst.Milliseconds()), "floor-behind-max-ms")
		b.ReportMetric(float64(changes)/elapsed.Seconds(), "changes/s")
		b.StopTimer()
		term.Keys("Escape")
		// Apart, or the terminal reads the two keys as alt+q.
		time.Sleep(300 * time.Millisecond)
		quitFromTheTree(term)
		b.StartTimer()
	}
}

// probeLabel is the label BenchmarkTUIBurst changes on the shown pod.
const probeLabel = "wecs-probe"

// probeWatch is a plain watch of one pod: when each value of probeLabel
// first reached this process.
type probeWatch struct {
	mu    sync.Mutex
	when  map[string]time.Time
	added chan struct{}
}

// watchProbe watches a pod until ctx ends.
func watchProbe(ctx context.Context, b *testing.B, client kubernetes.Interface, namespace, name string) *probeWatch {
	w, err := client.CoreV1().Pods(namespace).Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
	if err != nil {
		b.Fatal(err)
	}
	p := &probeWatch{when: map[string]time.Time{}, added: make(chan struct{}, 1)}
	go func() {
		defer w.Stop()
		for e := range w.ResultChan() {
			pod, ok := e.Object.(*corev1.Pod)
			if !ok {
				continue
			}
			p.mu.Lock()
			if v := pod.Labels[probeLabel]; v != "" && p.when[v].IsZero() {
				p.when[v] = time.Now()
				select {
				case p.added <- struct{}{}:
				default:
				}
			}
			p.mu.Unlock()
		}
	}()
	return p
}

// seen is when the watch saw the label's value, waiting for it if need be.
func (p *probeWatch) seen(b *testing.B, value string) time.Time {
	deadline := time.After(30 * time.Second)
	for {
		p.mu.Lock()
		t := p.when[value]
		p.mu.Unlock()
		if !t.IsZero() {
			return t
		}
		select {
		case <-p.added:
		case <-deadline:
			b.Fatalf("the watch of the probe pod never saw %s=%s", probeLabel, value)
		}
	}
}

// idleFor is how long BenchmarkTUIIdle watches the TUI do nothing.
const idleFor = 30 * time.Second

// BenchmarkTUIIdle is the TUI's CPU (idle-cpu-%, of one core) while nobody
// touches it, once connected to the whole fleet and settled for 10 s. The
// fleet goes on as it does: the kwok nodes' heartbeats keep coming.
func BenchmarkTUIIdle(b *testing.B) {
	s := sandboxtest.Shared(b)
	bin := buildWecs(b)
	for b.Loop() {
		term, pid := connectedTUI(b, bin, s)
		time.Sleep(10 * time.Second)
		startCPU := cpuTime(b, pid)
		time.Sleep(idleFor)
		b.ReportMetric(100*(cpuTime(b, pid)-startCPU).Seconds()/idleFor.Seconds(), "idle-cpu-%")
		b.ReportMetric(float64(peakRSSKB(b, pid))/1024, "peak-rss-MB")
		b.StopTimer()
		quitFromTheTree(term)
		b.StartTimer()
	}
}

// connectedTUI starts the TUI in a 200×50 terminal and waits until every
// WEC is connected; pid is the TUI's process.
func connectedTUI(b *testing.B, bin string, s *sandbox.State) (term *tmuxtest.Session, pid int) {
	pidFile := filepath.Join(b.TempDir(), "pid")
	term = tmuxtest.Start(b, 200, 50, "sh -c 'echo $$ >"+pidFile+"; exec "+bin+" tui --kubeconfig "+s.Kubeconfig+"'")
	pid = readPID(b, pidFile)
	term.WaitFor(5*time.Minute, fmt.Sprintf("%d/%d WECs connected", len(s.WECNames())+1, len(s.WECNames())+1))
	return term, pid
}

// podClient is a WEC's client and the pods a burst changes there.
type podClient struct {
	client kubernetes.Interface
	pods   []types.NamespacedName
}

// podClients lists, per WEC, the pods a burst may change.
func podClients(b *testing.B, s *sandbox.State) map[string]podClient {
	out := map[string]podClient{}
	for _, name := range s.WECNames() {
		cfg, err := s.RESTConfig(name)
		if err != nil {
			b.Fatal(err)
		}
		cfg.QPS, cfg.Burst = 2*burstRate, 2*burstRate
		client := kubernetes.NewForConfigOrDie(cfg)
		list, err := client.CoreV1().Pods("").List(context.Background(), metav1.ListOptions{})
		if err != nil {
			b.Fatal(err)
		}
		pc := podClient{client: client}
		for _, p := range list.Items {
			if !kube.SystemNamespace(p.Namespace) && p.Name != sandbox.LoggingPod {
				pc.pods = append(pc.pods, types.NamespacedName{Namespace: p.Namespace, Name: p.Name})
			}
		}
		out[name] = pc
	}
	return out
}

// burstWriters bounds the label writes in flight: a server slower than
// burstRate gets fewer changes, and the benchmark reports how many it took.
const burstWriters = 16

// changePods writes a new label on up to burstRate pods a second, taking
// the WECs and their pods in turn, until ctx ends; it returns how many
// writes the servers took.
func changePods(ctx context.Context, b *testing.B, clients map[string]podClient) (done int64) {
	names := slices.Sorted(maps.Keys(clients))
	next := make(chan int)
	var writers sync.WaitGroup
	var took atomic.Int64
	for range burstWriters {
		writers.Go(func() {
			for i := range next {
				pc := clients[names[i%len(names)]]
				pod := pc.pods[(i/len(names))%len(pc.pods)]
				// A write under way when the burst ends runs to its end:
				// cut short, client-go logs it over the benchmark's output.
				if labelPod(context.WithoutCancel(ctx), b, pc.client, pod.Namespace, pod.Name, fmt.Sprintf("wecs-burst=b%d", i)) {
					took.Add(1)
				}
			}
		})
	}
	tick := time.NewTicker(time.Second / burstRate)
	defer tick.Stop()
	for i := 0; ctx.Err() == nil; {
		select {
		case <-ctx.Done():
		case <-tick.C:
			select {
			case next <- i:
				i++
			default: // every writer busy: this change is skipped
			}
		}
	}
	close(next)
	writers.Wait()
	return took.Load()
}

// labelPod sets one label ("key=value") on a pod; a write that fails is
// logged (it is not a fault of wecs) and reported as false.
func labelPod(ctx context.Context, b *testing.B, client kubernetes.Interface, namespace, name, label string) bool {
	key, value, _ := strings.Cut(label, "=")
	patch := fmt.Sprintf(`{"metadata":{"labels":{%q:%q}}}`, key, value)
	_, err := client.CoreV1().Pods(namespace).Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	if err != nil && ctx.Err() == nil {
		b.Logf("label pod %s/%s: %v", namespace, name, err)
	}
	return err == nil
}

// cpuTime is the CPU time (user and system) a process has used.
func cpuTime(b *testing.B, pid int) time.Duration {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// utime and stime are the 14th and 15th fields; the command name
	// (the 2nd) is in parentheses and may hold spaces.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
	utime, _ := strconv.Atoi(fields[11])
	stime, _ := strconv.Atoi(fields[12])
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// peakRSSKB is the most resident memory a process has had (VmHWM), in KiB.
func peakRSSKB(b *testing.B, pid int) int {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			if kb, err := strconv.Atoi(strings.Fields(rest)[0]); err == nil {
				return kb
			}
		}
	}
	b.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}

// clockTicks is the unit of /proc's CPU times (USER_HZ), 100 on Linux.
const clockTicks = 100
