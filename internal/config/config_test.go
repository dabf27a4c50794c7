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

func TestWritePrivateIsForTheUserAlone(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state", "exports", "secret.yaml")
	if err := WritePrivate(path, []byte("data: {}\n")); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700 | os.ModeDir, filepath.Join(dir, "state"): 0o700 | os.ModeDir} {
		if fi, err := os.Stat(p); err != nil || fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v (%v)", p, fi.Mode(), want, err)
		}
	}
	shared := filepath.Join(dir, "shared.yaml")
	os.WriteFile(shared, nil, 0o644)
	if err := WritePrivate(shared, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(shared); fi.Mode() != 0o600 {
		t.Errorf("an existing file stays %v", fi.Mode())
	}
}

// TestDefaultPathFollowsXDG: $XDG_CONFIG_HOME, else ~/.config, on every OS.
func TestDefaultPathFollowsXDG(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	if got, want := DefaultPath(), filepath.Join(home, ".config", "wecs", "config.yaml"); got != want {
		t.Errorf("without XDG_CONFIG_HOME: %s, want %s", got, want)
	}
	t.Setenv("XDG_CONFIG_HOME", "/xdg")
	if got, want := DefaultPath(), filepath.Join("/xdg", "wecs", "config.yaml"); got != want {
		t.Errorf("with XDG_CONFIG_HOME: %s, want %s", got, want)
	}
}
