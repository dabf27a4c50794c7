// Command releasecheck checks the release configuration by what it makes.
//
//	releasecheck config IN OUT   writes IN with every build for this machine only
//	releasecheck dist DIR        checks a snapshot release in DIR
//
// The dist check reads the krew plugin manifest and the archive it points
// to, runs the archived plugin as `kubectl wecs version`, and checks that
// the wecs archive holds the man pages and completion scripts the Homebrew
// cask installs, and that its LICENSE is the license the cask declares.
package main

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// pluginBinary is the binary krew installs, run by kubectl as `kubectl wecs`.
const pluginBinary = "kubectl-wecs"

func main() {
	var err error
	switch {
	case len(os.Args) == 4 && os.Args[1] == "config":
		err = hostOnly(os.Args[2], os.Args[3])
	case len(os.Args) == 3 && os.Args[1] == "dist":
		err = checkDist(os.Args[2])
	default:
		err = errors.New("usage: releasecheck config IN OUT | releasecheck dist DIR")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "releasecheck:", err)
		os.Exit(1)
	}
}

// hostOnly writes the goreleaser config with every build limited to this
// machine's platform, so that a snapshot builds each binary once.
func hostOnly(in, out string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	builds, _ := cfg["builds"].([]any)
	if len(builds) == 0 {
		return fmt.Errorf("%s: no builds", in)
	}
	for _, b := range builds {
		build, ok := b.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: a build is not a map", in)
		}
		build["goos"], build["goarch"] = []string{runtime.GOOS}, []string{runtime.GOARCH}
	}
	data, err = yaml.Marshal(cfg)
	if err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

// krewManifest is the part of krew's Plugin manifest checked here.
type krewManifest struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version          string `json:"version"`
		ShortDescription string `json:"shortDescription"`
		Platforms        []struct {
			Bin      string `json:"bin"`
			URI      string `json:"uri"`
			Sha256   string `json:"sha256"`
			Selector struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
		} `json:"platforms"`
	} `json:"spec"`
}

func checkDist(dist string) error {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if err := checkKrew(dist, fail); err != nil {
		return err
	}
	if err := checkCask(dist, fail); err != nil {
		return err
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n  "))
	}
	fmt.Println("releasecheck: krew manifest, kubectl wecs, man pages, completions and license are right")
	return nil
}

// checkKrew checks the krew manifest and runs the plugin it installs.
func checkKrew(dist string, fail func(string, ...any)) error {
	data, err := os.ReadFile(filepath.Join(dist, "krew", "wecs.yaml"))
	if err != nil {
		return fmt.Errorf("krew manifest: %w", err)
	}
	var m krewManifest
	if err := yaml.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("krew manifest: %w", err)
	}
	if m.APIVersion != "krew.googlecontainertools.github.com/v1alpha2" || m.Kind != "Plugin" || m.Metadata.Name != "wecs" {
		fail("krew manifest is %s %s %q, want a krew v1alpha2 Plugin named wecs", m.APIVersion, m.Kind, m.Metadata.Name)
	}
	if !strings.HasPrefix(m.Spec.Version, "v") || m.Spec.ShortDescription == "" {
		fail("krew manifest: version %q must start with v, and a short description is needed", m.Spec.Version)
	}
	for _, p := range m.Spec.Platforms {
		if p.Selector.MatchLabels["os"] != runtime.GOOS || p.Selector.MatchLabels["arch"] != runtime.GOARCH {
			continue
		}
		if p.Bin != pluginBinary {
			fail("krew platform %s/%s runs %q, want %s", runtime.GOOS, runtime.GOARCH, p.Bin, pluginBinary)
		}
		archive := filepath.Join(dist, p.URI[strings.LastIndex(p.URI, "/")+1:])
		sum, err := fileSHA256(archive)
		if err != nil {
			return err
		}
		if sum != p.Sha256 {
			fail("krew sha256 %s differs from %s's %s", p.Sha256, archive, sum)
		}
		dir, err := os.MkdirTemp("", "releasecheck")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		names, err := extract(archive, dir)
		if err != nil {
			return err
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"LICENSE", pluginBinary}) {
			fail("%s holds %v, want just %s and LICENSE", archive, names, pluginBinary)
		}
		return runPlugin(dir, fail)
	}
	fail("krew manifest has no platform for %s/%s", runtime.GOOS, runtime.GOARCH)
	return nil
}

// runPlugin runs the extracted plugin through kubectl, as a user would.
func runPlugin(dir string, fail func(string, ...any)) error {
	kubectl := exec.Command("kubectl", "wecs", "version")
	kubectl.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := kubectl.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "wecs ") {
		fail("kubectl wecs version: %v: %s", err, out)
	}
	help := exec.Command("kubectl", "wecs", "get", "--help")
	help.Env = kubectl.Env
	out, err = help.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "kubectl wecs get") {
		fail("kubectl wecs get --help does not name itself kubectl wecs get: %v: %s", err, out)
	}
	return nil
}

// checkCask checks that the wecs archive for this machine holds what the
// Homebrew cask installs from it, and the license the cask declares.
func checkCask(dist string, fail func(string, ...any)) error {
	cask, err := os.ReadFile(filepath.Join(dist, "homebrew", "Casks", "wecs.rb"))
	if err != nil {
		return fmt.Errorf("homebrew cask: %w", err)
	}
	archives, err := filepath.Glob(filepath.Join(dist, "wecs_*_"+runtime.GOOS+"_"+runtime.GOARCH+".tar.gz"))
	if err != nil || len(archives) != 1 {
		return fmt.Errorf("want one wecs archive for %s/%s in %s, found %v", runtime.GOOS, runtime.GOARCH, dist, archives)
	}
	dir, err := os.MkdirTemp("", "releasecheck")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	names, err := extract(archives[0], dir)
	if err != nil {
		return err
	}
	installed := regexp.MustCompile(`(?m)^\s*(?:binary|manpage|bash_completion|zsh_completion|fish_completion) "([^"]+)"`).FindAllSubmatch(cask, -1)
	if len(installed) < 5 {
		fail("the cask installs only %d files: binary, man pages and completions expected", len(installed))
	}
	for _, m := range installed {
		if name := string(m[1]); !slices.Contains(names, name) {
			fail("the cask installs %s, which %s does not hold", name, archives[0])
		}
	}
	for _, want := range []string{"man/wecs-get.1", "completions/wecs.bash", "completions/_wecs", "completions/wecs.fish"} {
		if !slices.Contains(names, want) {
			fail("%s lacks %s", archives[0], want)
		}
	}
	license, err := os.ReadFile(filepath.Join(dir, "LICENSE"))
	if err != nil {
		fail("%s has no LICENSE", archives[0])
		return nil
	}
	declared, err := caskLicense(dist)
	if err != nil {
		return err
	}
	if declared != "Apache-2.0" || !strings.Contains(string(license), "Apache License") || !strings.Contains(string(license), "Version 2.0") {
		fail("the cask declares license %q, which the LICENSE file (Apache-2.0 expected) does not match", declared)
	}
	return nil
}

// caskLicense is the license the release config declares for the cask
// (goreleaser's effective config, written to the dist directory).
func caskLicense(dist string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dist, "config.yaml"))
	if err != nil {
		return "", err
	}
	var cfg struct {
		Casks []struct {
			License string `json:"license"`
		} `json:"homebrew_casks"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return "", fmt.Errorf("%s: %w", filepath.Join(dist, "config.yaml"), err)
	}
	if len(cfg.Casks) != 1 {
		return "", fmt.Errorf("want one Homebrew cask in the release config, found %d", len(cfg.Casks))
	}
	return cfg.Casks[0].License, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// extract unpacks a .tar.gz into dir and returns the files' names.
func extract(archive, dir string) ([]string, error) {
	f, err := os.Open(archive)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", archive, err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", archive, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := filepath.Clean(h.Name)
		if !filepath.IsLocal(name) {
			return nil, fmt.Errorf("%s: entry %q leaves the archive", archive, h.Name)
		}
		names = append(names, filepath.ToSlash(name))
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&0o755|0o600)
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(out, tr)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
	}
}
