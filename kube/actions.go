package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	clusterv1 "open-cluster-management.io/api/cluster/v1"
	"sigs.k8s.io/yaml"

	"github.com/wecs-tui/wecs/internal/termtext"
)

// EditableText is an object as `kubectl edit` shows it: read fresh from its
// WEC, without managedFields and status, as YAML or JSON.
func (f *Fleet) EditableText(ctx context.Context, o Object, asJSON bool) ([]byte, error) {
	obj, err := f.Fetch(ctx, o)
	if err != nil {
		return nil, err
	}
	return editableText(obj, asJSON)
}

// editableText drops what an edit cannot change (managedFields, status)
// and writes the rest as YAML or JSON.
func editableText(obj *unstructured.Unstructured, asJSON bool) ([]byte, error) {
	obj.SetManagedFields(nil)
	delete(obj.Object, "status")
	if asJSON {
		return json.MarshalIndent(obj.Object, "", "  ")
	}
	return termtext.YAML(obj.Object)
}

// Update writes an edited object (YAML or JSON) back to o's WEC. The text
// must still name o; its resourceVersion makes the server refuse the update
// (a conflict) when the object changed since original (the text the edit
// started from) was read. A change to the status alone does not count:
// controllers write status all the time, so then the edit is sent again
// on the current version.
func (f *Fleet) Update(ctx context.Context, o Object, original, edited []byte) error {
	obj, err := parseEdited(o, edited)
	if err != nil {
		return err
	}
	r, err := f.resource(o)
	if err != nil {
		return err
	}
	return updateEdited(ctx, r, obj, original)
}

// updateEdited updates obj, and once more on the current resourceVersion
// when a conflict came from a status change only (see Update).
func updateEdited(ctx context.Context, r dynamic.ResourceInterface, obj *unstructured.Unstructured, original []byte) error {
	opts := metav1.UpdateOptions{FieldManager: fieldManager}
	_, err := r.Update(ctx, obj, opts)
	if !apierrors.IsConflict(err) || original == nil {
		return err
	}
	current, getErr := r.Get(ctx, obj.GetName(), metav1.GetOptions{})
	if getErr != nil {
		return err
	}
	now, textErr := editableText(current, true)
	if textErr != nil || !sameButVersion(original, now) {
		return err
	}
	obj.SetResourceVersion(current.GetResourceVersion())
	_, err = r.Update(ctx, obj, opts)
	return err
}

// sameButVersion reports whether two editable texts (YAML or JSON) differ
// in nothing but metadata.resourceVersion.
func sameButVersion(a, b []byte) bool {
	var ma, mb map[string]any
	if yaml.Unmarshal(a, &ma) != nil || yaml.Unmarshal(b, &mb) != nil {
		return false
	}
	for _, m := range []map[string]any{ma, mb} {
		if meta, ok := m["metadata"].(map[string]any); ok {
			delete(meta, "resourceVersion")
		}
	}
	return reflect.DeepEqual(ma, mb)
}

// parseEdited reads an edited text, which must still name o.
func parseEdited(o Object, text []byte) (*unstructured.Unstructured, error) {
	edited := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(text, &edited.Object); err != nil {
		return nil, fmt.Errorf("the text is not valid YAML or JSON: %v", err)
	}
	if edited.Object == nil {
		return nil, errors.New("the text is empty; to delete the object, use delete instead")
	}
	if edited.GetName() != o.Name || edited.GetNamespace() != o.Namespace || edited.GetKind() != o.Kind {
		return nil, fmt.Errorf("the text names %s, not %s: kind, namespace and name cannot be edited",
			Object{Kind: edited.GetKind(), Namespace: edited.GetNamespace(), Name: edited.GetName()}.Ref(), o.Ref())
	}
	return edited, nil
}

// fieldManager names wecs in the objects' managedFields.
const fieldManager = "wecs"

// Delete deletes o from its WEC, letting its dependents go in the background
// as kubectl does.
func (f *Fleet) Delete(ctx context.Context, o Object) error {
	r, err := f.resource(o)
	if err != nil {
		return err
	}
	policy := metav1.DeletePropagationBackground
	return r.Delete(ctx, o.Name, metav1.DeleteOptions{PropagationPolicy: &policy})
}

// Scale sets the replicas of a Deployment, StatefulSet or ReplicaSet.
func (f *Fleet) Scale(ctx context.Context, o Object, replicas int32) error {
	if replicas < 0 {
		return fmt.Errorf("replicas must be 0 or more, not %d", replicas)
	}
	return f.mergePatch(ctx, o, map[string]any{"spec": map[string]any{"replicas": replicas}})
}

// Restart rolls a Deployment, StatefulSet or DaemonSet out again, as
// `kubectl rollout restart` does: by stamping its pod template.
func (f *Fleet) Restart(ctx context.Context, o Object) error {
	stamp := map[string]any{"kubectl.kubernetes.io/restartedAt": time.Now().Format(time.RFC3339)}
	return f.mergePatch(ctx, o, map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{"annotations": stamp}}}})
}

func (f *Fleet) mergePatch(ctx context.Context, o Object, patch map[string]any) error {
	data, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	r, err := f.resource(o)
	if err != nil {
		return err
	}
	_, err = r.Patch(ctx, o.Name, types.MergePatchType, data, metav1.PatchOptions{FieldManager: fieldManager})
	return err
}

// Permission says whether the user may do something to an object, and if
// not, why.
type Permission struct {
	Allowed bool
	Reason  string
}

// permissionKey identifies one access review, on a WEC or on the ITS.
type permissionKey struct {
	its                                                    bool
	cluster, verb, group, resource, subresource, namespace string
}

// permissionTTL is how long an access review's answer is trusted: RBAC
// rarely changes during a session, but it does change.
const permissionTTL = 5 * time.Minute

// permissions caches the answers of access reviews (never a failure to ask).
type permissions struct {
	mu    sync.Mutex
	cache map[permissionKey]cachedPermission
}

type cachedPermission struct {
	Permission
	at time.Time
}

// Can asks o's WEC whether the user may verb (delete, update, patch) o, or
// its subresource (scale). The server's answers are cached per cluster for
// permissionTTL; a review that could not be made (the cluster is not
// connected, the request failed) is tried again next time. In read-only
// mode the answer is no.
func (f *Fleet) Can(ctx context.Context, verb string, o Object, subresource string) Permission {
	return f.can(ctx, permissionKey{false, o.Cluster, verb, o.Group, o.Resource, subresource, o.Namespace})
}

// CanEditClusters asks the ITS whether the user may update ManagedClusters,
// as Can does for a WEC's objects.
func (f *Fleet) CanEditClusters(ctx context.Context) Permission {
	return f.can(ctx, permissionKey{true, f.itsContext, "update", clusterv1.GroupName, "managedclusters", "", ""})
}

func (f *Fleet) can(ctx context.Context, key permissionKey) Permission {
	if f.kc.ReadOnly() {
		return Permission{Reason: ErrReadOnly.Error()}
	}
	return f.perms.answer(key, func() (Permission, bool) { return f.review(ctx, key) })
}

// answer is the cached answer for key when it is younger than
// permissionTTL, else what ask says, kept when the server answered.
func (c *permissions) answer(key permissionKey, ask func() (p Permission, answered bool)) Permission {
	c.mu.Lock()
	cached, ok := c.cache[key]
	c.mu.Unlock()
	if ok && time.Since(cached.at) < permissionTTL {
		return cached.Permission
	}
	p, answered := ask()
	if !answered {
		return p
	}
	c.mu.Lock()
	if c.cache == nil {
		c.cache = map[permissionKey]cachedPermission{}
	}
	c.cache[key] = cachedPermission{p, time.Now()}
	c.mu.Unlock()
	return p
}

// review asks the server; answered is false when it could not be asked.
func (f *Fleet) review(ctx context.Context, key permissionKey) (p Permission, answered bool) {
	config := f.config
	if key.its {
		config = f.kc.RESTConfig
	}
	cfg, err := config(key.cluster)
	if err != nil {
		return Permission{Reason: err.Error()}, false
	}
	return reviewAccess(ctx, cfg, key)
}

// reviewAccess asks the server of cfg with a SelfSubjectAccessReview;
// answered is false when it could not be asked.
func reviewAccess(ctx context.Context, cfg *rest.Config, key permissionKey) (p Permission, answered bool) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return Permission{Reason: err.Error()}, false
	}
	review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
		ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: key.verb, Group: key.group, Resource: key.resource,
			Subresource: key.subresource, Namespace: key.namespace},
	}}
	got, err := cs.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
	if err != nil {
		return Permission{Reason: "cannot check permissions: " + errorText(err)}, false
	}
	if got.Status.Allowed {
		return Permission{Allowed: true}, true
	}
	resource := key.resource
	if key.subresource != "" {
		resource += "/" + key.subresource
	}
	reason := fmt.Sprintf("your user may not %s %s on %s", key.verb, resource, key.cluster)
	if got.Status.Reason != "" {
		reason += " (" + got.Status.Reason + ")"
	}
	return Permission{Reason: reason}, true
}
