// Package buildinfo holds the version, commit and build date of the binary,
// set at link time (-ldflags -X) by the Makefile and goreleaser.
package buildinfo

import "runtime/debug"

// Set with -ldflags "-X github.com/wecs-tui/wecs/internal/buildinfo.Version=…".
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// Info is the version of this binary; for a `go install …@vX` build without
// ldflags it falls back to what the Go toolchain recorded.
func Info() (version, commit, date string) {
	version, commit, date = Version, Commit, Date
	if bi, ok := debug.ReadBuildInfo(); ok {
		if version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && commit == "":
				commit = s.Value
			case s.Key == "vcs.time" && date == "":
				date = s.Value
			}
		}
	}
	if version == "" {
		version = "dev"
	}
	if commit == "" {
		commit = "unknown"
	}
	if date == "" {
		date = "unknown"
	}
	return version, commit, date
}
