package kube

import (
	"context"
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	workclient "open-cluster-management.io/api/client/work/clientset/versioned"
	workscheme "open-cluster-management.io/api/client/work/clientset/versioned/scheme"
	workv1 "open-cluster-management.io/api/work/v1"
)

// listedWork is a ManifestWork as wecs reads it from a list: without its
// spec, the manifests it carries, which are most of its size and unread.
type listedWork struct {
	metav1.ObjectMeta `json:"metadata"`
	Status            workv1.ManifestWorkStatus `json:"status"`
}

// workListWatch lists the ITS's ManifestWorks with listWorks and watches
// them as client-go does.
func workListWatch(wc workclient.Interface) *cache.ListWatch {
	return &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			return listWorks(ctx, wc.WorkV1().RESTClient(), opts)
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			return wc.WorkV1().ManifestWorks("").Watch(ctx, opts)
		},
	}
}

// listWorks lists the ManifestWorks of every namespace, decoding the
// answer one ManifestWork at a time as it arrives and leaving out their
// specs: at a thousand WECs the list is tens of megabytes, which would
// otherwise be held whole, then decoded whole, manifests included.
func listWorks(ctx context.Context, client rest.Interface, opts metav1.ListOptions) (*workv1.ManifestWorkList, error) {
	body, err := client.Get().Resource("manifestworks").VersionedParams(&opts, workscheme.ParameterCodec).Stream(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = body.Close() }()
	dec := json.NewDecoder(body)
	list := &workv1.ManifestWorkList{}
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("ManifestWork list: %w", err)
		}
		switch key {
		case "metadata":
			err = dec.Decode(&list.ListMeta)
		case "items":
			err = decodeWorks(dec, list)
		default:
			err = dec.Decode(&json.RawMessage{})
		}
		if err != nil {
			return nil, fmt.Errorf("ManifestWork list, %v: %w", key, err)
		}
	}
	return list, expectDelim(dec, '}')
}

// decodeWorks appends the items of a list's JSON array to list.
func decodeWorks(dec *json.Decoder, list *workv1.ManifestWorkList) error {
	if err := expectDelim(dec, '['); err != nil {
		return err
	}
	for dec.More() {
		var w listedWork
		if err := dec.Decode(&w); err != nil {
			return err
		}
		list.Items = append(list.Items, workv1.ManifestWork{ObjectMeta: w.ObjectMeta, Status: w.Status})
	}
	return expectDelim(dec, ']')
}

// expectDelim reads the next token, which must be delim.
func expectDelim(dec *json.Decoder, delim json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("ManifestWork list: %w", err)
	}
	if tok != delim {
		return fmt.Errorf("ManifestWork list: %v where %v was expected", tok, delim)
	}
	return nil
}
