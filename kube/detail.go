package kube

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// Event is one Kubernetes event as the Events pane shows it.
type Event struct {
	UID     types.UID
	Type    string // Normal or Warning
	Reason  string
	Message string
	// Source is the component (and host) that reported the event.
	Source string
	Count  int32
	// Last is when the event was last seen.
	Last time.Time
	// Object is the kind and name the event is about ("Pod/web-7d4b9").
	Object string
}

// Detail is a live snapshot of one object in full and of its events.
type Detail struct {
	// Object is the object as its WEC has it (managedFields removed); nil
	// until it has been read, or after it was deleted.
	Object *unstructured.Unstructured
	// Gone says the object was deleted while watched.
	Gone bool
	// Events are newest first.
	Events []Event
	// Err is the last error of the object's or the events' watch, if any.
	Err error
}

// WatchDetail watches one object and its events on its WEC until ctx ends,
// sending a fresh Detail after every change; a slow reader gets only the
// latest. With related, the events of the objects it owns (a Deployment's
// ReplicaSets and Pods) are included.
func (f *Fleet) WatchDetail(ctx context.Context, o Object, related bool) (<-chan Detail, error) {
	objects, err := f.resource(o)
	if err != nil {
		return nil, err
	}
	cfg, err := f.config(o.Cluster)
	if err != nil {
		return nil, err
	}
	core, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	d := &detailWatch{out: make(chan Detail, 1), events: map[types.UID]Event{}}
	if related && o.Namespace != "" {
		d.wants = func(ev *corev1.Event) bool { return relatedTo(f.Tree, o, ev) }
	}

	byName := fields.OneTermEqualSelector("metadata.name", o.Name).String()
	object := cache.NewSharedIndexInformer(&cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			opts.FieldSelector = byName
			return objects.List(ctx, opts)
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			opts.FieldSelector = byName
			return objects.Watch(ctx, opts)
		},
	}, &unstructured.Unstructured{}, 0, cache.Indexers{})
	if _, err := object.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    d.setObject,
		UpdateFunc: func(_, obj any) { d.setObject(obj) },
		DeleteFunc: func(any) { d.change(func() { d.object, d.gone = nil, true }) },
	}); err != nil {
		return nil, err
	}

	// Without related events, the server picks the object's events; with
	// them, the namespace's events are read and sorted out here.
	evNamespace, evSelector := o.Namespace, fields.OneTermEqualSelector("involvedObject.uid", string(o.UID)).String()
	if d.wants != nil {
		evSelector = ""
	}
	events := cache.NewSharedIndexInformer(&cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			opts.FieldSelector = evSelector
			return core.CoreV1().Events(evNamespace).List(ctx, opts)
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			opts.FieldSelector = evSelector
			return core.CoreV1().Events(evNamespace).Watch(ctx, opts)
		},
	}, &corev1.Event{}, 0, cache.Indexers{})
	if _, err := events.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    d.setEvent,
		UpdateFunc: func(_, obj any) { d.setEvent(obj) },
		DeleteFunc: d.deleteEvent,
	}); err != nil {
		return nil, err
	}
	for _, inf := range []cache.SharedIndexInformer{object, events} {
		if err := inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
			d.change(func() { d.err = err })
		}); err != nil {
			return nil, err
		}
		go inf.RunWithContext(ctx)
	}
	go func() {
		<-ctx.Done()
		d.mu.Lock()
		d.closed = true
		close(d.out)
		d.mu.Unlock()
	}()
	return d.out, nil
}

// relatedTo reports whether an event is about o or about something o owns,
// now or soon: an owned object the tree knows, or one named after o as
// controllers name what they create ("web" → "web-7d4b9" → "web-7d4b9-x2x").
func relatedTo(t *Tree, o Object, ev *corev1.Event) bool {
	ref := ev.InvolvedObject
	if ref.UID == o.UID {
		return true
	}
	if strings.HasPrefix(ref.Name, o.Name+"-") {
		return true
	}
	return t.Descends(o.Cluster, ref.UID, o.UID)
}

// detailWatch gathers one object and its events and publishes snapshots.
type detailWatch struct {
	out   chan Detail
	wants func(*corev1.Event) bool

	mu     sync.Mutex
	object *unstructured.Unstructured
	gone   bool
	events map[types.UID]Event
	err    error
	closed bool
}

func (d *detailWatch) setObject(obj any) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return
	}
	u = u.DeepCopy()
	u.SetManagedFields(nil)
	d.change(func() { d.object, d.gone, d.err = u, false, nil })
}

func (d *detailWatch) setEvent(obj any) {
	ev, ok := obj.(*corev1.Event)
	if !ok || (d.wants != nil && !d.wants(ev)) {
		return
	}
	d.change(func() { d.events[ev.UID] = toEvent(ev) })
}

func (d *detailWatch) deleteEvent(obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	if ev, ok := obj.(*corev1.Event); ok {
		d.change(func() { delete(d.events, ev.UID) })
	}
}

// change applies f and publishes the new state, replacing an unread one.
func (d *detailWatch) change(f func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f()
	if d.closed {
		return
	}
	snap := Detail{Object: d.object, Gone: d.gone, Err: d.err, Events: make([]Event, 0, len(d.events))}
	for _, ev := range d.events {
		snap.Events = append(snap.Events, ev)
	}
	slices.SortFunc(snap.Events, func(a, b Event) int { return b.Last.Compare(a.Last) })
	select {
	case <-d.out:
	default:
	}
	d.out <- snap
}

// toEvent reads an event whichever API wrote it: core/v1's counters and
// timestamps, or events/v1's series and event time.
func toEvent(ev *corev1.Event) Event {
	out := Event{UID: ev.UID, Type: ev.Type, Reason: ev.Reason, Message: ev.Message, Count: ev.Count,
		Object: ev.InvolvedObject.Kind + "/" + ev.InvolvedObject.Name}
	out.Source = ev.Source.Component
	if out.Source == "" {
		out.Source = ev.ReportingController
	}
	if host := ev.Source.Host; host != "" {
		out.Source += ", " + host
	}
	switch {
	case ev.Series != nil:
		out.Last, out.Count = ev.Series.LastObservedTime.Time, ev.Series.Count
	case !ev.LastTimestamp.IsZero():
		out.Last = ev.LastTimestamp.Time
	case !ev.EventTime.IsZero():
		out.Last = ev.EventTime.Time
	default:
		out.Last = ev.CreationTimestamp.Time
	}
	out.Count = max(out.Count, 1)
	return out
}
