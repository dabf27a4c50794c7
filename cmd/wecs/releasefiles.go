package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// kubectlPluginName is the binary name under which kubectl runs wecs as
// `kubectl wecs`.
const kubectlPluginName = "kubectl-wecs"

// asKubectlPlugin names the commands `kubectl wecs …` in help and usage
// when the binary runs as kubectl's plugin.
func asKubectlPlugin(root *cobra.Command, binary string) {
	if filepath.Base(binary) == kubectlPluginName {
		root.Annotations = map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl wecs"}
	}
}

// newReleaseFiles writes what the release archives ship beside the binary:
// a man page per command under DIR/man, and the completion scripts of
// bash, zsh and fish under DIR/completions. Hidden: releases run it.
func newReleaseFiles(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:    "release-files DIR",
		Short:  "Write the man pages and completion scripts the release archives ship",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			man, completions := filepath.Join(args[0], "man"), filepath.Join(args[0], "completions")
			for _, dir := range []string{man, completions} {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return err
				}
			}
			root.DisableAutoGenTag = true
			header := &doc.GenManHeader{Title: "WECS", Section: "1", Source: "wecs", Manual: "wecs manual"}
			if err := doc.GenManTree(root, header, man); err != nil {
				return fmt.Errorf("man pages: %w", err)
			}
			scripts := map[string]func(string) error{
				"wecs.bash": func(p string) error { return root.GenBashCompletionFileV2(p, true) },
				"_wecs":     root.GenZshCompletionFile,
				"wecs.fish": func(p string) error { return root.GenFishCompletionFile(p, true) },
			}
			for name, write := range scripts {
				if err := write(filepath.Join(completions, name)); err != nil {
					return fmt.Errorf("completion %s: %w", name, err)
				}
			}
			return nil
		},
	}
}
