package kube

import (
	"bufio"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
)

// LogOptions choose what StreamLogs reads.
type LogOptions struct {
	// Container names one container; "" means every container of each pod
	// (init and ephemeral ones included).
	Container string
	// Tail is how many lines to start with; negative means the whole log.
	Tail int64
	// Since, when positive, starts that long ago instead.
	Since time.Duration
	// Previous reads the last terminated run of each container.
	Previous bool
	// Follow keeps streaming, reconnecting when a stream breaks.
	Follow bool
}

// LogSource is one container whose log is streamed.
type LogSource struct {
	Cluster, Namespace, Pod, Container string
}

func (s LogSource) String() string {
	return s.Cluster + "/" + s.Namespace + "/" + s.Pod + "/" + s.Container
}

// LogLine is one line of a log, or a marker (Marker set) that says the
// stream ended, broke or came back.
type LogLine struct {
	Source LogSource
	// Time is the server's timestamp of the line.
	Time   time.Time
	Text   string
	Marker string
}

// logRetry is how long a broken stream first waits before reconnecting;
// each fruitless attempt doubles it up to maxLogRetry.
const (
	logRetry    = time.Second
	maxLogRetry = 30 * time.Second
)

// podRecheck bounds the wait for a change of a pod whose containers have
// not started, in case its watch misses one.
const podRecheck = time.Minute

// podRescan is how often a followed workload looks for new pods.
const podRescan = 2 * time.Second

// StreamLogs streams the logs of the pods an object stands for (the pod
// itself, or a controller's pods, on each of clusters where it exists by
// namespace, kind and name) into out until ctx ends or, without Follow,
// every log has been read; then it closes out. Following, new pods are
// picked up as they appear and a broken stream reconnects from its last
// line's timestamp without repeating lines.
func (f *Fleet) StreamLogs(ctx context.Context, o Object, clusters []string, opts LogOptions, out chan<- LogLine) {
	defer close(out)
	var wg sync.WaitGroup
	defer wg.Wait()
	started := map[LogSource]bool{} // pods, by a source without container
	for {
		pods := map[LogSource][]string{}
		for _, src := range f.logSources(ctx, o, clusters, opts) {
			pod := src
			pod.Container = ""
			pods[pod] = append(pods[pod], src.Container)
		}
		for pod, containers := range pods {
			if started[pod] {
				continue
			}
			started[pod] = true
			wg.Add(1)
			go func() {
				defer wg.Done()
				f.followPod(ctx, pod, containers, opts, out)
			}()
		}
		if len(started) == 0 && !opts.Follow {
			send(ctx, out, LogLine{Source: LogSource{Cluster: o.Cluster, Namespace: o.Namespace, Pod: o.Name}, Marker: "no pods to read logs from"})
		}
		if !opts.Follow {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(podRescan):
		}
	}
}

// LogPods are the pods whose logs an object stands for on one cluster: a
// Pod itself, or the pods somewhere under a controller in the tree.
func (f *Fleet) LogPods(o Object, cluster string) []Object {
	if o.Kind == "Pod" && cluster == o.Cluster {
		return []Object{o}
	}
	filter := Filter{Clusters: []string{cluster}, Namespace: o.Namespace, Kinds: []string{"Pod"}, ShowSystem: true}
	if o.Kind == "Pod" {
		filter.Name = o.Name
		return slices.DeleteFunc(f.Tree.Find(filter), func(p Object) bool { return p.Name != o.Name })
	}
	// The same workload on another cluster has another UID: find it by name.
	owner := o
	if cluster != o.Cluster {
		same := f.Tree.Find(Filter{Clusters: []string{cluster}, Namespace: o.Namespace, Kinds: []string{o.Kind}, Name: o.Name, ShowSystem: true})
		i := slices.IndexFunc(same, func(c Object) bool { return c.Name == o.Name })
		if i < 0 {
			return nil
		}
		owner = same[i]
	}
	return slices.DeleteFunc(f.Tree.Find(filter), func(p Object) bool { return !f.Tree.Descends(cluster, p.UID, owner.UID) })
}

// logSources lists the containers to stream: for each pod, the chosen
// container or all of them, read from the pod's spec.
func (f *Fleet) logSources(ctx context.Context, o Object, clusters []string, opts LogOptions) []LogSource {
	var out []LogSource
	for _, cluster := range clusters {
		for _, pod := range f.LogPods(o, cluster) {
			if opts.Container != "" {
				out = append(out, LogSource{cluster, pod.Namespace, pod.Name, opts.Container})
				continue
			}
			containers, err := f.Containers(ctx, pod)
			if err != nil {
				continue
			}
			for _, c := range containers {
				out = append(out, LogSource{cluster, pod.Namespace, pod.Name, c.Name})
			}
		}
	}
	return out
}

// Container is one container of a pod, with its kind.
type Container struct {
	Name string
	// Kind is "init", "sidecar" (an init container that keeps running),
	// "ephemeral" or "" for an app container.
	Kind string
}

// Containers lists a pod's containers as its spec has them: init
// containers first (in the order they run), then app, then ephemeral ones.
func (f *Fleet) Containers(ctx context.Context, pod Object) ([]Container, error) {
	full, err := f.Fetch(ctx, pod)
	if err != nil {
		return nil, err
	}
	var p corev1.Pod
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(full.Object, &p); err != nil {
		return nil, err
	}
	var out []Container
	for _, c := range p.Spec.InitContainers {
		kind := "init"
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			kind = "sidecar"
		}
		out = append(out, Container{Name: c.Name, Kind: kind})
	}
	for _, c := range p.Spec.Containers {
		out = append(out, Container{Name: c.Name})
	}
	for _, c := range p.Spec.EphemeralContainers {
		out = append(out, Container{Name: c.Name, Kind: "ephemeral"})
	}
	return out, nil
}

// followPod streams the logs of some containers of one pod. While none of
// them has started, it says why once (per reason, for the whole pod) and,
// following, waits for the pod to change instead of asking for a log that
// is not there.
func (f *Fleet) followPod(ctx context.Context, pod LogSource, containers []string, opts LogOptions, out chan<- LogLine) {
	cfg, err := f.config(pod.Cluster)
	var cs *kubernetes.Clientset
	if err == nil {
		cs, err = kubernetes.NewForConfig(cfg)
	}
	if err != nil {
		send(ctx, out, LogLine{Source: pod, Marker: err.Error()})
		return
	}
	said := ""
	for {
		p, err := cs.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Pod, metav1.GetOptions{})
		if ctx.Err() != nil {
			return
		}
		why := ""
		switch {
		case err != nil:
			why = "cannot read the pod: " + errorText(err)
		case !opts.Previous:
			why = notStarted(p, containers)
		}
		if why == "" {
			break
		}
		if why != said {
			send(ctx, out, LogLine{Source: pod, Marker: why})
			said = why
		}
		if !opts.Follow || !waitForPodChange(ctx, cs, p) {
			return
		}
	}
	var wg sync.WaitGroup
	for _, c := range containers {
		src := pod
		src.Container = c
		wg.Add(1)
		go func() {
			defer wg.Done()
			streamContainer(ctx, cs, src, opts, out)
		}()
	}
	wg.Wait()
}

// notStarted says why none of a pod's containers has a log to read, or ""
// when one has: not scheduled (with the scheduler's reason), or the
// waiting reason of its containers (ContainerCreating, ImagePullBackOff…).
func notStarted(p *corev1.Pod, containers []string) string {
	if p.Spec.NodeName == "" {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse {
				return "not scheduled: " + strings.TrimSpace(c.Reason+": "+c.Message)
			}
		}
		return "not scheduled yet"
	}
	statuses := slices.Concat(p.Status.InitContainerStatuses, p.Status.ContainerStatuses, p.Status.EphemeralContainerStatuses)
	why := "waiting: the containers have not started"
	for _, name := range containers {
		i := slices.IndexFunc(statuses, func(s corev1.ContainerStatus) bool { return s.Name == name })
		if i < 0 {
			continue
		}
		s := statuses[i]
		if s.State.Running != nil || s.State.Terminated != nil || s.LastTerminationState.Terminated != nil {
			return ""
		}
		if w := s.State.Waiting; w != nil && w.Reason != "" {
			why = "waiting: " + w.Reason
			if w.Message != "" {
				why += " (" + w.Message + ")"
			}
		}
	}
	return why
}

// waitForPodChange waits until the pod changes (or a while has passed);
// false when ctx ended.
func waitForPodChange(ctx context.Context, cs kubernetes.Interface, p *corev1.Pod) bool {
	wait, cancel := context.WithTimeout(ctx, podRecheck)
	defer cancel()
	w, err := cs.CoreV1().Pods(p.Namespace).Watch(wait, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("metadata.name", p.Name).String(), ResourceVersion: p.ResourceVersion})
	if err == nil {
		defer w.Stop()
		select {
		case <-w.ResultChan():
		case <-wait.Done():
		}
	} else {
		select {
		case <-time.After(5 * logRetry):
		case <-wait.Done():
		}
	}
	return ctx.Err() == nil
}

// streamContainer streams one container's log. Following, a stream that
// ends or breaks is reopened from the last line's time, waiting longer
// after each attempt that brought nothing; lines at or before what was
// already sent are skipped, and a repeated problem is said once.
func streamContainer(ctx context.Context, cs kubernetes.Interface, src LogSource, opts LogOptions, out chan<- LogLine) {
	var last time.Time
	retry, said := logRetry, ""
	sentAtLast := 0 // lines sent with timestamp == last
	first := true
	for {
		req := &corev1.PodLogOptions{Container: src.Container, Follow: opts.Follow, Previous: opts.Previous, Timestamps: true}
		switch {
		case !first:
			since := metav1.NewTime(last)
			req.SinceTime = &since
		case opts.Since > 0:
			secs := int64(opts.Since.Seconds())
			req.SinceSeconds = &secs
		case opts.Tail >= 0:
			req.TailLines = &opts.Tail
		}
		stream, err := cs.CoreV1().Pods(src.Namespace).GetLogs(src.Pod, req).Stream(ctx)
		before := last
		if err == nil {
			last, sentAtLast, err = copyLines(ctx, stream, src, last, sentAtLast, out)
			_ = stream.Close()
		}
		if ctx.Err() != nil {
			return
		}
		if !opts.Follow {
			if err != nil && !errors.Is(err, io.EOF) {
				send(ctx, out, LogLine{Source: src, Marker: "cannot read the log: " + errorText(err)})
			}
			return
		}
		if err != nil && !errors.Is(err, io.EOF) {
			if marker := "stream broke (" + errorText(err) + "); reconnecting"; marker != said {
				send(ctx, out, LogLine{Source: src, Marker: marker})
				said = marker
			}
		}
		retry = min(retry*2, maxLogRetry)
		if !last.Equal(before) {
			retry, said = logRetry, ""
		}
		first = first && last.IsZero()
		select {
		case <-ctx.Done():
			return
		case <-time.After(retry):
		}
	}
}

// copyLines sends a stream's lines, skipping those not after last (and the
// first sentAtLast at exactly last), and returns the new position.
func copyLines(ctx context.Context, r io.Reader, src LogSource, last time.Time, sentAtLast int, out chan<- LogLine) (time.Time, int, error) {
	reader := bufio.NewReaderSize(r, 64*1024)
	seenAtLast := 0
	for {
		raw, err := reader.ReadString('\n')
		if raw != "" {
			t, text := splitTimestamp(strings.TrimRight(raw, "\r\n"))
			switch {
			case !last.IsZero() && t.Before(last):
			case !last.IsZero() && t.Equal(last) && seenAtLast < sentAtLast:
				seenAtLast++
			default:
				if t.Equal(last) {
					sentAtLast++
					seenAtLast++
				} else {
					last, sentAtLast, seenAtLast = t, 1, 1
				}
				if !send(ctx, out, LogLine{Source: src, Time: t, Text: text}) {
					return last, sentAtLast, ctx.Err()
				}
			}
		}
		if err != nil {
			return last, sentAtLast, err
		}
	}
}

// splitTimestamp cuts the RFC 3339 timestamp the server puts before each
// line when asked for timestamps.
func splitTimestamp(line string) (time.Time, string) {
	stamp, text, ok := strings.Cut(line, " ")
	if !ok {
		stamp, text = line, ""
	}
	t, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		return time.Time{}, line
	}
	return t, text
}

func send(ctx context.Context, out chan<- LogLine, l LogLine) bool {
	select {
	case out <- l:
		return true
	case <-ctx.Done():
		return false
	}
}
