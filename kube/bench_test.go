package kube_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/wecs-tui/wecs/internal/sandbox"
	"github.com/wecs-tui/wecs/internal/sandbox/sandboxtest"
	"github.com/wecs-tui/wecs/kube"
)

// The fleet benchmarks run against the sandbox named by WECS_SANDBOX_DIR
// (make bench starts one with 150 nodes and 3,500 pods per WEC), else
// against the package's own small sandbox.

// BenchmarkFleetTreeComplete measures the time from starting a Fleet until
// every WEC is Connected, i.e. its whole tree is built.
func BenchmarkFleetTreeComplete(b *testing.B) {
	s := sandboxtest.Shared(b)
	objects := 0
	for b.Loop() {
		objects = startFleetUntilComplete(b, s)
	}
	b.ReportMetric(float64(objects), "objects")
}

func startFleetUntilComplete(b *testing.B, s *sandbox.State) int {
	kc, _ := kubeconfigAt(b, s.Kubeconfig)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := kube.NewFleet(kc, "its1", kube.FleetOptions{})
	if err := f.Start(ctx); err != nil {
		b.Fatal(err)
	}
	for connectedCount(f) < len(s.WECNames())+1 {
		time.Sleep(5 * time.Millisecond)
	}
	return f.Tree.Len()
}

// BenchmarkParallelListFloor is the floor for the benchmark above: the
// cheapest read the servers offer of what wecs reads, all at once, decoded:
// one LIST of every watched kind on every WEC, in protobuf for Kubernetes'
// own kinds (metadata only where wecs reads metadata only) and in JSON for
// custom resources, which have no protobuf.
func BenchmarkParallelListFloor(b *testing.B) {
	s := sandboxtest.Shared(b)
	objects := 0
	for b.Loop() {
		objects = parallelList(b, s)
	}
	b.ReportMetric(float64(objects), "objects")
}

func parallelList(b *testing.B, s *sandbox.State) int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	total := 0
	for _, k := range watchedKinds(b, s) {
		wg.Go(func() {
			n, err := listCheapest(k.cfg, k.gvr, k.kind)
			if err != nil {
				b.Error(err)
				return
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	return total
}

// watchedKind is one kind wecs watches on one WEC.
type watchedKind struct {
	cfg  *rest.Config
	gvr  schema.GroupVersionResource
	kind string
}

// watchedKinds are the kinds wecs watches on each WEC, from its discovery.
func watchedKinds(b *testing.B, s *sandbox.State) []watchedKind {
	var out []watchedKind
	for _, name := range s.WECNames() {
		cfg, err := s.RESTConfig(name)
		if err != nil {
			b.Fatal(err)
		}
		kinds := kindNames(b, cfg)
		gvrs, err := kube.WatchableResources(discovery.NewDiscoveryClientForConfigOrDie(cfg))
		if err != nil {
			b.Fatal(err)
		}
		for _, gvr := range gvrs {
			out = append(out, watchedKind{cfg: cfg, gvr: gvr, kind: kinds[gvr]})
		}
	}
	return out
}

// kindNames are the kinds of a server's resources, from its discovery.
func kindNames(b *testing.B, cfg *rest.Config) map[schema.GroupVersionResource]string {
	lists, err := discovery.NewDiscoveryClientForConfigOrDie(cfg).ServerPreferredResources()
	if err != nil {
		b.Fatal(err)
	}
	names := map[schema.GroupVersionResource]string{}
	for _, list := range lists {
		gv, _ := schema.ParseGroupVersion(list.GroupVersion)
		for _, r := range list.APIResources {
			names[gv.WithResource(r.Name)] = r.Kind
		}
	}
	return names
}

// listCheapest LISTs one kind in its cheapest encoding and decodes it.
func listCheapest(cfg *rest.Config, gvr schema.GroupVersionResource, kind string) (int, error) {
	lw, err := cheapestListWatch(cfg, gvr, kind)
	if err != nil {
		return 0, err
	}
	list, err := lw.ListWithContext(context.Background(), metav1.ListOptions{})
	if err != nil {
		return 0, err
	}
	return meta.LenList(list), nil
}

// cheapestListWatch reads one kind in its cheapest encoding: metadata only
// where wecs reads metadata only, protobuf for Kubernetes' own kinds, JSON
// for custom resources, which have no protobuf.
func cheapestListWatch(cfg *rest.Config, gvr schema.GroupVersionResource, kind string) (*cache.ListWatch, error) {
	listKind := gvr.GroupVersion().WithKind(kind + "List")
	switch {
	case kube.ReadAsMetadata(gvr.GroupResource()):
		r := metadata.NewForConfigOrDie(cfg).Resource(gvr)
		return listWatchOf(r.List, r.Watch), nil
	case scheme.Scheme.Recognizes(listKind):
		c := rest.CopyConfig(cfg)
		gv := gvr.GroupVersion()
		c.GroupVersion, c.APIPath = &gv, "/apis"
		if gv.Group == "" {
			c.APIPath = "/api"
		}
		c.ContentType, c.AcceptContentTypes = k8sruntime.ContentTypeProtobuf, k8sruntime.ContentTypeProtobuf
		c.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
		client, err := rest.RESTClientFor(c)
		if err != nil {
			return nil, err
		}
		return &cache.ListWatch{
			ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (k8sruntime.Object, error) {
				list, _ := scheme.Scheme.New(listKind)
				err := client.Get().Resource(gvr.Resource).VersionedParams(&opts, scheme.ParameterCodec).Do(ctx).Into(list)
				return list, err
			},
			WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
				opts.Watch = true
				return client.Get().Resource(gvr.Resource).VersionedParams(&opts, scheme.ParameterCodec).Watch(ctx)
			},
		}, nil
	}
	r := dynamic.NewForConfigOrDie(cfg).Resource(gvr)
	return listWatchOf(r.List, r.Watch), nil
}

// listWatchOf is a client's List and Watch as an informer takes them.
func listWatchOf[L k8sruntime.Object](list func(context.Context, metav1.ListOptions) (L, error),
	watchFunc func(context.Context, metav1.ListOptions) (watch.Interface, error)) *cache.ListWatch {
	return &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (k8sruntime.Object, error) {
			return list(ctx, opts)
		},
		WatchFuncWithContext: watchFunc,
	}
}

// BenchmarkIdleWatchFloor is the floor of wecs tui's idle CPU: an informer
// of every watched kind on every WEC, in the cheapest encoding, doing
// nothing with what arrives. It reports this process's CPU (idle-cpu-%, of
// one core) over idleFor, once listed and settled for 10 s, as
// BenchmarkTUIIdle measures wecs: what the fleet's own changes (the kwok
// nodes' heartbeats) cost any client that watches them.
func BenchmarkIdleWatchFloor(b *testing.B) {
	s := sandboxtest.Shared(b)
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		var synced []cache.InformerSynced
		for _, k := range watchedKinds(b, s) {
			lw, err := cheapestListWatch(k.cfg, k.gvr, k.kind)
			if err != nil {
				b.Fatal(err)
			}
			inf := cache.NewSharedIndexInformer(lw, nil, 0, cache.Indexers{})
			if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{}); err != nil {
				b.Fatal(err)
			}
			go inf.RunWithContext(ctx)
			synced = append(synced, inf.HasSynced)
		}
		if !cache.WaitForCacheSync(ctx.Done(), synced...) {
			b.Fatal("the informers did not sync")
		}
		time.Sleep(10 * time.Second)
		start := processCPU(b)
		time.Sleep(idleFor)
		b.ReportMetric(100*(processCPU(b)-start).Seconds()/idleFor.Seconds(), "idle-cpu-%")
		cancel()
	}
}

// idleFor is how long BenchmarkIdleWatchFloor watches, as long as
// BenchmarkTUIIdle watches wecs.
const idleFor = 30 * time.Second

// processCPU is the CPU time this process has used, user and system.
func processCPU(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// BenchmarkFleetMemory reports the live heap of a synced fleet (measured in
// this process) and the peak resident memory of the real wecs binary
// reading every kind of the whole fleet and printing every object's row
// (plain wecs get, measured by the kernel).
func BenchmarkFleetMemory(b *testing.B) {
	s := sandboxtest.Shared(b)
	kc, _ := kubeconfigAt(b, s.Kubeconfig)
	bin := filepath.Join(b.TempDir(), "wecs")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/wecs").CombinedOutput(); err != nil {
		b.Fatalf("build wecs: %v\n%s", err, out)
	}
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ctx, cancel := context.WithCancel(context.Background())
		f := kube.NewFleet(kc, "its1", kube.FleetOptions{})
		if err := f.Start(ctx); err != nil {
			b.Fatal(err)
		}
		for connectedCount(f) < len(s.WECNames())+1 {
			time.Sleep(10 * time.Millisecond)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "live-heap-MB")
		b.ReportMetric(float64(f.Tree.Len()), "objects")
		cancel()

		b.ReportMetric(float64(peakRSSKB(b, bin, "get", "--kubeconfig", s.Kubeconfig))/1024, "wecs-max-rss-MB")
	}
}

// peakRSSKB runs a command and returns its peak resident memory (VmHWM),
// read from /proc while it runs. (The kernel's rusage of a child forked from
// this large test process reports this process's size instead.)
func peakRSSKB(b *testing.B, name string, args ...string) int {
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	status := "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status"
	peak := 0
	for {
		select {
		case err := <-done:
			if err != nil {
				b.Fatalf("%s: %v", name, err)
			}
			return peak
		case <-time.After(5 * time.Millisecond):
		}
		data, err := os.ReadFile(status)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				if kb, err := strconv.Atoi(strings.Fields(rest)[0]); err == nil && kb > peak {
					peak = kb
				}
			}
		}
	}
}

// connectedCount counts the connected members: the WECs and the pending one,
// which has a context too.
func connectedCount(f *kube.Fleet) int {
	n := 0
	for _, m := range f.Members() {
		if m.Connection.State == kube.Connected {
			n++
		}
	}
	return n
}

// BenchmarkTreeApplyOneEvent measures one Modified event (a pod's status
// change) applied to a tree holding 10,500 pods under 210 Deployments.
func BenchmarkTreeApplyOneEvent(b *testing.B) {
	tree := kube.NewTree()
	var pods []kube.Object
	for c := 1; c <= 3; c++ {
		cluster := fmt.Sprintf("cluster%d", c)
		for d := 0; d < 70; d++ {
			dep := types.UID(fmt.Sprintf("%s-dep-%d", cluster, d))
			tree.Upsert(kube.Object{Cluster: cluster, Namespace: "load", Kind: "Deployment", Name: string(dep), UID: dep, Status: kube.StatusReady})
			for p := 0; p < 50; p++ {
				pod := kube.Object{Cluster: cluster, Namespace: "load", Kind: "Pod", Name: fmt.Sprintf("%s-%d", dep, p),
					UID: types.UID(fmt.Sprintf("%s-pod-%d", dep, p)), Owners: []types.UID{dep}, Status: kube.StatusRunning}
				tree.Upsert(pod)
				pods = append(pods, pod)
			}
		}
	}
	statuses := []kube.Status{kube.StatusRunning, kube.StatusNotReady}
	i := 0
	for b.Loop() {
		pod := pods[i%len(pods)]
		pod.Status = statuses[(i/len(pods))%2]
		tree.Upsert(pod)
		i++
	}
}
