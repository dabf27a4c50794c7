package kube

import (
	"context"
	"fmt"
	"slices"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/pager"
)

// pagedReader serves objects rows, in a first page when asked for a limit
// and the rest (or all) otherwise; a continuation has expired when expired.
type pagedReader struct {
	objects int
	expired bool
	asked   []metav1.ListOptions
}

func (p *pagedReader) list(_ context.Context, _ string, opts metav1.ListOptions, made func()) (*rowList, error) {
	p.asked = append(p.asked, opts)
	if opts.Continue != "" && p.expired {
		return nil, apierrors.NewResourceExpired("the continue token has expired")
	}
	from, to := 0, p.objects
	if opts.Continue != "" {
		from = listPageSize
	}
	out := &rowList{ListMeta: metav1.ListMeta{ResourceVersion: "7"}}
	if opts.Limit > 0 && int(opts.Limit) < p.objects {
		to = int(opts.Limit)
		remaining := int64(p.objects - to)
		out.Continue, out.RemainingItemCount = "rest", &remaining
	}
	for i := from; i < to; i++ {
		out.Items = append(out.Items, row{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint(i)}})
		made()
	}
	return out, nil
}

func (p *pagedReader) watch(context.Context, string, metav1.ListOptions) (watch.Interface, error) {
	return watch.NewEmptyWatch(), nil
}

func (p *pagedReader) row(runtime.Object) (row, bool) { return row{}, false }

// listAsTheInformersDo lists through client-go's pager, as a reflector's
// first list does.
func listAsTheInformersDo(t *testing.T, r kindReader, listed func(done, total int)) int {
	t.Helper()
	lw := listWatch(r, "", listed)
	list, _, err := pager.New(pager.SimplePageFunc(func(opts metav1.ListOptions) (runtime.Object, error) {
		return lw.ListWithContext(t.Context(), opts)
	})).ListWithAlloc(t.Context(), metav1.ListOptions{ResourceVersion: "0"})
	if err != nil {
		t.Fatal(err)
	}
	return meta.LenList(list)
}

func TestAFirstListReadsAPageThenTheRestAndSaysHowFarItHasCome(t *testing.T) {
	r := &pagedReader{objects: 1200}
	var progress []string
	got := listAsTheInformersDo(t, r, func(done, total int) { progress = append(progress, fmt.Sprintf("%d/%d", done, total)) })
	if got != 1200 {
		t.Errorf("listed %d objects, want 1200", got)
	}
	want := []metav1.ListOptions{{Limit: listPageSize}, {Continue: "rest"}}
	if !slices.Equal(r.asked, want) {
		t.Errorf("asked %+v, want %+v", r.asked, want)
	}
	if want := []string{"500/1200", "1000/1200", "1200/1200"}; !slices.Equal(progress, want) {
		t.Errorf("progress %v, want %v", progress, want)
	}
}

func TestAListWhoseRestExpiredIsReadWhole(t *testing.T) {
	r := &pagedReader{objects: 1200, expired: true}
	if got := listAsTheInformersDo(t, r, nil); got != 1200 {
		t.Errorf("listed %d objects, want 1200 (asked %+v)", got, r.asked)
	}
}
