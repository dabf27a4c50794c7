package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wecs-tui/wecs/kube"
)

// withSecretValues gives a test Secret its value, also in kubectl's
// last-applied configuration, as `kubectl apply` leaves it.
func withSecretValues(full *unstructured.Unstructured) {
	full.Object["data"] = map[string]any{"password": "c2VjcmV0"}
	annotations := full.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations["kubectl.kubernetes.io/last-applied-configuration"] = `{"apiVersion":"v1","data":{"password":"c2VjcmV0"},"kind":"Secret","metadata":{"name":"db"}}`
	full.SetAnnotations(annotations)
}

func TestSecretValuesNeverShowMaskedOrCopied(t *testing.T) {
	m := send(sized(300, 60), keys("/db", "enter", "y")...)
	if plain := screen(m); strings.Contains(plain, "c2VjcmV0") || !strings.Contains(plain, "last-applied-configuration") {
		t.Errorf("YAML tab shows the value in the last-applied annotation:\n%s", plain)
	}
	m = send(m, keys("d")...)
	if plain := screen(m); strings.Contains(plain, "c2VjcmV0") || !strings.Contains(plain, `"password":"`+kube.SecretMask) {
		t.Errorf("Summary shows the value in the last-applied annotation:\n%s", plain)
	}
	copied := func() clipboardMsg {
		t.Helper()
		msg, ok := m.copyYAML()().(clipboardMsg)
		if !ok {
			t.Fatal("Y did not copy")
		}
		return msg
	}
	m = send(m, keys("y")...)
	if c := copied(); strings.Contains(c.text, "c2VjcmV0") || !strings.Contains(c.text, kube.SecretMask) || !strings.Contains(c.note, "values masked") {
		t.Errorf("Y copied the values the YAML tab masks: %s\n%s", c.note, c.text)
	}
	m = send(m, keys("x")...)
	if c := copied(); !strings.Contains(c.text, "password: c2VjcmV0") {
		t.Errorf("revealed, Y does not copy the values: %s\n%s", c.note, c.text)
	}
}

func TestExportAndSavedLogsAreForTheUserAlone(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	m := send(sized(140, 30), keys("/db", "enter", ":export", "enter")...)
	exports, _ := filepath.Glob(filepath.Join(state, "wecs", "exports", "*.yaml"))
	m = send(m, keys("/crashy", "enter", "L", "s")...)
	logs, _ := filepath.Glob(filepath.Join(state, "wecs", "logs", "*.log"))
	if len(exports) != 1 || len(logs) != 1 {
		t.Fatalf("exports %v, logs %v\n%s", exports, logs, screen(m))
	}
	for _, p := range []string{exports[0], logs[0]} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v (%v)", p, fi.Mode(), err)
		}
		if fi, err := os.Stat(filepath.Dir(p)); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v (%v)", filepath.Dir(p), fi.Mode(), err)
		}
	}
}
