package kube

import (
	"encoding/base64"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func testSecret() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": "db", "namespace": "shop", "annotations": map[string]any{
			"kubectl.kubernetes.io/last-applied-configuration": `{"apiVersion":"v1","data":{"password":"c2VjcmV0"},"kind":"Secret","stringData":{"token":"plain-token"}}` + "\n",
			"team": "payments",
		}},
		"data": map[string]any{
			"password": base64.StdEncoding.EncodeToString([]byte("secret")),
			"ca.crt":   base64.StdEncoding.EncodeToString([]byte("-----BEGIN-----\nAAA\n")),
			"key.bin":  base64.StdEncoding.EncodeToString([]byte{0, 1, 0xff, 'a'}),
		},
	}}
}

func TestMaskSecretHidesEveryValueAlsoInTheLastAppliedAnnotation(t *testing.T) {
	s := testSecret()
	masked := MaskSecret(s)
	text := strings.Join([]string{masked.GetAnnotations()[lastApplied], masked.GetAnnotations()["team"]}, " ")
	for _, leak := range []string{"c2VjcmV0", "plain-token"} {
		if strings.Contains(text, leak) {
			t.Errorf("the annotation shows %q: %s", leak, text)
		}
	}
	if !strings.Contains(text, `"password":"`+SecretMask+`"`) || !strings.Contains(text, "payments") {
		t.Errorf("masked annotation %s", text)
	}
	for k, v := range masked.Object["data"].(map[string]any) {
		if v != SecretMask {
			t.Errorf("data %s = %v", k, v)
		}
	}
	if s.Object["data"].(map[string]any)["password"] != "c2VjcmV0" {
		t.Error("MaskSecret changed the object it was given")
	}
	s.SetAnnotations(map[string]string{lastApplied: "password: c2VjcmV0"})
	if got := MaskSecret(s).GetAnnotations()[lastApplied]; got != SecretMask {
		t.Errorf("an annotation that is not JSON: %q", got)
	}
	cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]any{"a": "b"}}}
	if MaskSecret(cm) != cm {
		t.Error("a ConfigMap was masked")
	}
}

func TestRevealSecretDecodesTheValues(t *testing.T) {
	data := RevealSecret(testSecret()).Object["data"].(map[string]any)
	for k, want := range map[string]string{"password": "secret", "ca.crt": "-----BEGIN-----\nAAA\n", "key.bin": `\x00\x01\xffa`} {
		if data[k] != want {
			t.Errorf("%s = %q, want %q", k, data[k], want)
		}
	}
}
