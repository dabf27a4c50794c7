// Package config reads wecs's configuration file
// ($XDG_CONFIG_HOME/wecs/config.yaml, or ~/.config/wecs/config.yaml).
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"
)

// Config is the file's content.
type Config struct {
	// WECContexts maps cluster names to kubeconfig contexts, like --wec-context.
	WECContexts map[string]string `json:"wecContexts,omitempty"`
	// ReadOnly, like --readonly, keeps wecs from changing anything.
	ReadOnly bool `json:"readonly,omitempty"`
	// Namespaces are where to watch the kinds the user may not list
	// cluster-wide (as well as the contexts' namespaces).
	Namespaces []string `json:"namespaces,omitempty"`
	// LogLines is how many lines the Logs tab keeps.
	LogLines int `json:"logLines,omitempty"`
}

// DefaultPath is where the file is looked for when --config is not given:
// $XDG_CONFIG_HOME/wecs/config.yaml, else ~/.config/wecs/config.yaml, on
// macOS too (where Go's os.UserConfigDir would say ~/Library/Application Support).
func DefaultPath() string {
	if dir := os.Getenv("XDG_CONFIG_HOME"); dir != "" {
		return filepath.Join(dir, "wecs", "config.yaml")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".config", "wecs", "config.yaml")
}

// Load reads the file at path. A missing file at the default path is an
// empty configuration; a missing file the user named is an error.
func Load(path string, named bool) (Config, error) {
	var cfg Config
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !named {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("read config: %w", err)
	}
	if err := yaml.UnmarshalStrict(bytes.TrimSpace(data), &cfg); err != nil {
		return cfg, fmt.Errorf("config %s: %v (expected keys: wecContexts, readonly, logLines)", path, err)
	}
	return cfg, nil
}

// StateDir is where wecs keeps the files a user asks it to write (saved
// logs, exported YAML): $XDG_STATE_HOME/wecs, else ~/.local/state/wecs.
func StateDir() string {
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" {
		return filepath.Join(dir, "wecs")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "wecs")
	}
	return filepath.Join(os.TempDir(), "wecs")
}

// WritePrivate writes a file the user asked for (a saved log, an exported
// object: they may hold secrets) readable by the user alone: directories it
// creates are 0700, the file 0600, also when it existed before.
func WritePrivate(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return err
	}
	return os.Chmod(path, 0o600)
}
