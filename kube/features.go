package kube

import (
	"os"

	clientfeatures "k8s.io/client-go/features"
)

// listThenWatch makes client-go's informers start with a LIST rather than a
// streamed watch-list. For the dynamic (JSON) informers wecs runs, a streamed
// list decodes every object about three times over and made a fleet's first
// sync twice as slow as a plain LIST (BenchmarkFleetTreeComplete); LIST then
// WATCH comes within a few percent of it. Setting KUBE_FEATURE_WatchListClient
// still decides, as client-go documents.
type listThenWatch struct{ next clientfeatures.Gates }

func (g listThenWatch) Enabled(key clientfeatures.Feature) bool {
	if key == clientfeatures.WatchListClient {
		if _, set := os.LookupEnv("KUBE_FEATURE_" + string(key)); !set {
			return false
		}
	}
	return g.next.Enabled(key)
}

// The gates are replaced before anything reads them: a client made before
// would have read the default ones, and client-go would complain.
func init() {
	clientfeatures.ReplaceFeatureGates(listThenWatch{next: clientfeatures.FeatureGates()})
}
