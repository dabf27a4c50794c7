package kube

import (
	"context"
	"fmt"
	"io"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

// row is what an informer keeps of one object: the tree's Object, and of
// the metadata only what the informer's store and the reflector read.
// Objects are condensed into rows as they are decoded (a protobuf list
// object by object), so a list of thousands of pods never sits in memory
// whole.
type row struct {
	metav1.TypeMeta
	metav1.ObjectMeta
	Object Object
}

// DeepCopyObject copies the row; the Object in it is never changed in
// place, so its maps and slices are shared.
func (r *row) DeepCopyObject() runtime.Object {
	c := *r
	c.ObjectMeta = *r.ObjectMeta.DeepCopy()
	return &c
}

// rowList is a LIST's page of rows.
type rowList struct {
	metav1.TypeMeta
	metav1.ListMeta
	Items []row
}

func (l *rowList) DeepCopyObject() runtime.Object {
	c := *l
	c.ListMeta = *l.ListMeta.DeepCopy()
	c.Items = make([]row, len(l.Items))
	for i := range l.Items {
		c.Items[i] = *l.Items[i].DeepCopyObject().(*row)
	}
	return &c
}

// newRow keeps of meta what the informer reads: name, namespace, uid and
// resource version.
func newRow(meta metav1.Object, obj Object) row {
	return row{ObjectMeta: metav1.ObjectMeta{Name: meta.GetName(), Namespace: meta.GetNamespace(), UID: meta.GetUID(),
		ResourceVersion: meta.GetResourceVersion()}, Object: obj}
}

// listPageSize is how many objects the first page of a list holds, and
// how often a list says how far it has come.
const listPageSize = 500

// kindReader reads one kind of one cluster in the cheapest encoding the
// server offers for what the tree keeps of it.
type kindReader interface {
	// list reads a page of objects as rows, calling made as each row is
	// made (for a kind read in protobuf, while the rest of the page is
	// still arriving).
	list(ctx context.Context, namespace string, opts metav1.ListOptions, made func()) (*rowList, error)
	// watch follows the objects; row turns each event's object into a row.
	watch(ctx context.Context, namespace string, opts metav1.ListOptions) (watch.Interface, error)
	row(obj runtime.Object) (row, bool)
}

// metadataOnly are the kinds whose row needs nothing but metadata: they
// are read as PartialObjectMetadata, which also keeps Secret values out of
// wecs's memory (see ReadAsMetadata).
var metadataOnly = map[schema.GroupResource]bool{
	{Resource: "configmaps"}: true, {Resource: "secrets"}: true, {Resource: "endpoints"}: true,
	{Group: "discovery.k8s.io", Resource: "endpointslices"}:                  true,
	{Group: "storage.k8s.io", Resource: "storageclasses"}:                    true,
	{Group: "cluster.open-cluster-management.io", Resource: "clusterclaims"}: true,
}

// ReadAsMetadata says whether wecs reads a kind as metadata only.
func ReadAsMetadata(gr schema.GroupResource) bool { return metadataOnly[gr] }

// clients are the clients a session reads kinds with.
type clients struct {
	cluster  string
	config   *rest.Config
	dynamic  dynamic.Interface
	metadata metadata.Interface
}

func newClients(cluster string, config *rest.Config) (*clients, error) {
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	meta, err := metadata.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	return &clients{cluster: cluster, config: config, dynamic: dyn, metadata: meta}, nil
}

// reader picks how to read a kind: metadata only where that is all the row
// needs, protobuf for Kubernetes' own kinds, JSON for custom resources.
func (c *clients) reader(gvr schema.GroupVersionResource, kind string) (kindReader, error) {
	if ReadAsMetadata(gvr.GroupResource()) {
		return metadataReader{c: c, gvr: gvr, kind: kind}, nil
	}
	gvk := gvr.GroupVersion().WithKind(kind)
	if !customGroup(gvr.Group) && scheme.Scheme.Recognizes(gvk) {
		return newTypedReader(c, gvr, gvk)
	}
	return dynamicReader{c: c, gvr: gvr}, nil
}

// listWatch is a reader as the informers take it. A first list reads a
// consistent state (a list at resourceVersion "0" would come from the
// server's cache, however old) in at most two pieces: a first page of
// listPageSize, which tells how many objects there are, then any rest in
// one. The server goes through every object of the kind for each page it
// serves: pages of listPageSize would cost the 3,500 pods of a scale WEC 7
// passes, against 2. While it lists, listed says every listPageSize
// objects how many it has read and of how many, as far as the server can
// tell (nil may be passed).
//
// A list that asks for no page is read whole: the informers' pager asks
// for none when the rest of a list expired before it was read, and falls
// back to one list of everything. So is a list again after a watch
// expired (a server restarted, say), which asks for a state no older than
// the watch's last version: in pages the server would read exactly that
// version, the state already held rather than the server's now, and a
// watch from there would expire again, keeping that state for good.
func listWatch(r kindReader, namespace string, listed func(done, total int)) *cache.ListWatch {
	if listed == nil {
		listed = func(int, int) {}
	}
	done, total := 0, 0
	made := func() {
		done++
		if done%listPageSize == 0 && done < total {
			listed(done, total)
		}
	}
	return &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			if opts.ResourceVersion == "0" {
				opts.ResourceVersion = ""
			}
			if opts.Continue == "" {
				done, total = 0, 0
			}
			if opts.Continue == "" && opts.ResourceVersion == "" && opts.Limit > 0 {
				opts.Limit = listPageSize
			} else {
				opts.Limit = 0
			}
			page, err := r.list(ctx, namespace, opts, made)
			if err != nil {
				return page, err
			}
			total = done
			if page.RemainingItemCount != nil {
				total += int(*page.RemainingItemCount)
			}
			listed(done, total)
			return page, nil
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			w, err := r.watch(ctx, namespace, opts)
			if err != nil {
				return nil, err
			}
			return watch.Filter(w, func(e watch.Event) (watch.Event, bool) {
				if e.Type == watch.Error {
					return e, true
				}
				if e.Type == watch.Bookmark {
					// Only the resource version and annotations count.
					if meta, ok := e.Object.(metav1.Object); ok {
						e.Object = &row{ObjectMeta: metav1.ObjectMeta{ResourceVersion: meta.GetResourceVersion(), Annotations: meta.GetAnnotations()}}
					}
					return e, true
				}
				rw, ok := r.row(e.Object)
				if !ok {
					return e, false
				}
				e.Object = &rw
				return e, true
			}), nil
		},
	}
}

// metadataReader reads a kind as PartialObjectMetadata, in protobuf.
type metadataReader struct {
	c    *clients
	gvr  schema.GroupVersionResource
	kind string
}

func (m metadataReader) resource(namespace string) metadata.ResourceInterface {
	if namespace == "" {
		return m.c.metadata.Resource(m.gvr)
	}
	return m.c.metadata.Resource(m.gvr).Namespace(namespace)
}

func (m metadataReader) list(ctx context.Context, namespace string, opts metav1.ListOptions, made func()) (*rowList, error) {
	list, err := m.resource(namespace).List(ctx, opts)
	if err != nil {
		return nil, err
	}
	return rowsOf(list, m.row, made)
}

func (m metadataReader) watch(ctx context.Context, namespace string, opts metav1.ListOptions) (watch.Interface, error) {
	return m.resource(namespace).Watch(ctx, opts)
}

func (m metadataReader) row(obj runtime.Object) (row, bool) {
	meta, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return row{}, false
	}
	return newRow(meta, withPrinted(objectFromMeta(m.c.cluster, m.gvr, m.kind, meta), metadataStatus(meta), nil)), true
}

// typedReader reads one of Kubernetes' own kinds in protobuf.
type typedReader struct {
	c      *clients
	gvr    schema.GroupVersionResource
	gvk    schema.GroupVersionKind
	client rest.Interface
}

func newTypedReader(c *clients, gvr schema.GroupVersionResource, gvk schema.GroupVersionKind) (typedReader, error) {
	cfg := rest.CopyConfig(c.config)
	gv := gvr.GroupVersion()
	cfg.GroupVersion = &gv
	cfg.APIPath = "/apis"
	if gv.Group == "" {
		cfg.APIPath = "/api"
	}
	cfg.ContentType = runtime.ContentTypeProtobuf
	cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	cfg.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	client, err := rest.RESTClientFor(cfg)
	if err != nil {
		return typedReader{}, err
	}
	return typedReader{c: c, gvr: gvr, gvk: gvk, client: client}, nil
}

func (t typedReader) list(ctx context.Context, namespace string, opts metav1.ListOptions, made func()) (*rowList, error) {
	out := &rowList{}
	unread, ok := unreadIn[t.gvk.Kind]
	if !ok {
		unread = unreadInObject
	}
	listMeta, err := t.stream(ctx, namespace, opts, unread, func(obj runtime.Object) {
		if rw, ok := t.row(obj); ok {
			out.Items = append(out.Items, rw)
			made()
		}
	})
	out.ListMeta = listMeta
	return out, err
}

// stream lists the kind and hands each object to each as it is decoded,
// while the rest of the list is still arriving (see decodeListStream),
// without the fields unread names (nil: whole).
func (t typedReader) stream(ctx context.Context, namespace string, opts metav1.ListOptions, unread unreadFields, each func(runtime.Object)) (metav1.ListMeta, error) {
	body, err := t.client.Get().Namespace(namespace).Resource(t.gvr.Resource).VersionedParams(&opts, scheme.ParameterCodec).Stream(ctx)
	if err != nil {
		return metav1.ListMeta{}, err
	}
	defer body.Close()
	listMeta, rest, ok, err := decodeListStream(body, t.newItem, unread, each)
	if ok || err != nil {
		return listMeta, err
	}
	// The server answered in JSON.
	data, err := io.ReadAll(rest)
	if err != nil {
		return listMeta, err
	}
	list, err := scheme.Scheme.New(t.gvk.GroupVersion().WithKind(t.gvk.Kind + "List"))
	if err != nil {
		return listMeta, err
	}
	if _, _, err := scheme.Codecs.UniversalDeserializer().Decode(data, nil, list); err != nil {
		return listMeta, err
	}
	if err := meta.EachListItem(list, func(obj runtime.Object) error { each(obj); return nil }); err != nil {
		return listMeta, err
	}
	return listMetaOf(list)
}

// newItem is an empty object of the kind, to decode one list item into.
func (t typedReader) newItem() (protoMessage, error) {
	obj, err := scheme.Scheme.New(t.gvk)
	if err != nil {
		return nil, err
	}
	item, ok := obj.(protoMessage)
	if !ok {
		return nil, fmt.Errorf("%s has no protobuf decoding", t.gvk)
	}
	return item, nil
}

func (t typedReader) watch(ctx context.Context, namespace string, opts metav1.ListOptions) (watch.Interface, error) {
	opts.Watch = true
	return t.client.Get().Namespace(namespace).Resource(t.gvr.Resource).VersionedParams(&opts, scheme.ParameterCodec).Watch(ctx)
}

func (t typedReader) row(obj runtime.Object) (row, bool) {
	meta, ok := obj.(metav1.Object)
	if !ok {
		return row{}, false
	}
	switch o := obj.(type) {
	case *corev1.Pod:
		return newRow(meta, podObject(t.c.cluster, t.gvr, meta, o)), true
	case *corev1.Node:
		return newRow(meta, nodeObject(t.c.cluster, t.gvr, meta, o)), true
	}
	// Kinds with few objects go through the generic status reading.
	keepForStatus(obj, meta)
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return row{}, false
	}
	u := &unstructured.Unstructured{Object: m}
	u.SetGroupVersionKind(t.gvk)
	return newRow(meta, ToObject(t.c.cluster, t.gvr, u)), true
}

// keepForStatus drops from a decoded object, before it is converted for
// the status reading, what that reading never looks at and costs the most
// to convert: its managed fields and a workload's pod (or job) templates.
func keepForStatus(obj runtime.Object, meta metav1.Object) {
	meta.SetManagedFields(nil)
	switch o := obj.(type) {
	case *appsv1.Deployment:
		o.Spec.Template = corev1.PodTemplateSpec{}
	case *appsv1.ReplicaSet:
		o.Spec.Template = corev1.PodTemplateSpec{}
	case *appsv1.StatefulSet:
		o.Spec.Template, o.Spec.VolumeClaimTemplates = corev1.PodTemplateSpec{}, nil
	case *appsv1.DaemonSet:
		o.Spec.Template = corev1.PodTemplateSpec{}
	case *batchv1.Job:
		o.Spec.Template = corev1.PodTemplateSpec{}
	case *batchv1.CronJob:
		o.Spec.JobTemplate = batchv1.JobTemplateSpec{}
	}
}

// dynamicReader reads a custom resource as JSON.
type dynamicReader struct {
	c   *clients
	gvr schema.GroupVersionResource
}

func (d dynamicReader) resource(namespace string) dynamic.ResourceInterface {
	if namespace == "" {
		return d.c.dynamic.Resource(d.gvr)
	}
	return d.c.dynamic.Resource(d.gvr).Namespace(namespace)
}

func (d dynamicReader) list(ctx context.Context, namespace string, opts metav1.ListOptions, made func()) (*rowList, error) {
	list, err := d.resource(namespace).List(ctx, opts)
	if err != nil {
		return nil, err
	}
	return rowsOf(list, d.row, made)
}

func (d dynamicReader) watch(ctx context.Context, namespace string, opts metav1.ListOptions) (watch.Interface, error) {
	return d.resource(namespace).Watch(ctx, opts)
}

func (d dynamicReader) row(obj runtime.Object) (row, bool) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return row{}, false
	}
	return newRow(u, ToObject(d.c.cluster, d.gvr, u)), true
}

// rowsOf turns a decoded page into rows, keeping its resource version and
// continuation, calling made after each row.
func rowsOf(list runtime.Object, toRow func(runtime.Object) (row, bool), made func()) (*rowList, error) {
	listMeta, err := listMetaOf(list)
	if err != nil {
		return nil, err
	}
	out := &rowList{ListMeta: listMeta}
	err = meta.EachListItem(list, func(obj runtime.Object) error {
		if rw, ok := toRow(obj); ok {
			out.Items = append(out.Items, rw)
			made()
		}
		return nil
	})
	return out, err
}

// listMetaOf is what the informers read of a list's metadata.
func listMetaOf(list runtime.Object) (metav1.ListMeta, error) {
	m, err := meta.ListAccessor(list)
	if err != nil {
		return metav1.ListMeta{}, err
	}
	return metav1.ListMeta{ResourceVersion: m.GetResourceVersion(), Continue: m.GetContinue(), RemainingItemCount: m.GetRemainingItemCount()}, nil
}
