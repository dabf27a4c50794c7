package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("wecContexts:\n  cluster1: kind-cluster1\nreadonly: true\n"), 0o600)
	cfg, err := Load(good, true)
	if err != nil || cfg.WECContexts["cluster1"] != "kind-cluster1" || !cfg.ReadOnly {
		t.Fatalf("got %+v, %v", cfg, err)
	}
	if cfg, err := Load(filepath.Join(dir, "missing.yaml"), false); err != nil || len(cfg.WECContexts) != 0 {
		t.Errorf("a missing default file: %+v, %v", cfg, err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml"), true); err == nil {
		t.Error("a missing file the user named is not an error")
	}
	typo := filepath.Join(dir, "typo.yaml")
	os.WriteFile(typo, []byte("wecContext:\n  cluster1: x\n"), 0o600)
	if _, err := Load(typo, true); err == nil || !strings.Contains(err.Error(), "expected keys: wecContexts") {
		t.Errorf("an unknown key: %v", err)
	}
}
