# wecs: `make demo` starts a sandbox fleet and opens the UI on it;
# `make test` runs every test, integration tests against real control planes included.

SHELL    := /bin/bash

MODULE   := $(shell go list -m)
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
DATE     ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS  := -X $(MODULE)/internal/buildinfo.Version=$(VERSION) \
            -X $(MODULE)/internal/buildinfo.Commit=$(COMMIT) \
            -X $(MODULE)/internal/buildinfo.Date=$(DATE)
BIN      := bin
SANDBOX_DIR ?= $(or $(XDG_STATE_HOME),$(HOME)/.local/state)/wecs/sandbox
GORELEASER_VERSION := v2.14.3
GOBIN_DIR := $(shell go env GOPATH)/bin

.PHONY: build demo sandbox-up sandbox-down test test-deps lint release-check bench clean

build:
	go build -ldflags '$(LDFLAGS)' -o $(BIN)/wecs ./cmd/wecs
	go build -o $(BIN)/wecs-sandbox ./cmd/wecs-sandbox

## demo: start (or reuse) the sandbox fleet, then open the TUI on it.
demo: build
	$(BIN)/wecs-sandbox up --dir $(SANDBOX_DIR)
	$(BIN)/wecs tui --kubeconfig $(SANDBOX_DIR)/kubeconfig --its-context its1

sandbox-up: build
	$(BIN)/wecs-sandbox up --dir $(SANDBOX_DIR)

sandbox-down: build
	$(BIN)/wecs-sandbox down --dir $(SANDBOX_DIR)

## test: formatting, vet, the release config, then every test (the sandbox
## binaries are built on first use; integration tests start their own fleet).
## One package at a time: three packages start fleets of their own, and two
## cores running them together starve the control planes and the terminals.
test: lint release-check test-deps
	go test -count=1 -p 1 -timeout 60m ./...

## test-deps: tools the end-to-end tests drive (tmux), from the OS packages.
test-deps:
	@command -v tmux >/dev/null || { echo "installing tmux"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq tmux; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq tmux; fi; }
	@# Each sandbox's control planes hold about 25 inotify instances, and the
	@# tests run several sandboxes at once: the default of 128 per user is short.
	@if [ "$$(cat /proc/sys/fs/inotify/max_user_instances 2>/dev/null || echo 1024)" -lt 1024 ]; then \
		echo "raising fs.inotify.max_user_instances to 1024 for the sandboxes"; \
		if [ "$$(id -u)" = 0 ]; then sysctl -q -w fs.inotify.max_user_instances=1024; \
		else sudo sysctl -q -w fs.inotify.max_user_instances=1024; fi; fi

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...

## release-check: validate .goreleaser.yaml with the pinned goreleaser, then
## make a snapshot release for this machine's platform only and check what
## it made: the krew manifest and the plugin it installs (`kubectl wecs`),
## the man pages and completions the Homebrew cask installs, the license.
GORELEASER := $(GOBIN_DIR)/goreleaser-$(GORELEASER_VERSION)
release-check: $(GORELEASER)
	$(GORELEASER) check
	mkdir -p $(BIN) && go run ./internal/releasecheck config .goreleaser.yaml $(BIN)/goreleaser-snapshot.yaml
	KREW_INDEX_TOKEN=unused HOMEBREW_TAP_TOKEN=unused $(GORELEASER) release --snapshot --clean --skip=publish \
		--config $(BIN)/goreleaser-snapshot.yaml > $(BIN)/goreleaser-snapshot.log 2>&1 || \
		{ tail -40 $(BIN)/goreleaser-snapshot.log; exit 1; }
	go run ./internal/releasecheck dist dist

$(GORELEASER):
	@echo "installing goreleaser $(GORELEASER_VERSION) (a few minutes the first time)"
	GOBIN=$(CURDIR)/$(BIN)/goreleaser-build go install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)
	mkdir -p $(GOBIN_DIR) && mv $(BIN)/goreleaser-build/goreleaser $@ && rm -rf $(BIN)/goreleaser-build

## bench: the fleet benchmarks against a sandbox of 3 WECs with 150 nodes and
## 3,500 pods each (started for the run and stopped after), then the rest,
## and a table of each figure beside its floor and target (medians).
## The HubWECs benchmarks run after, against a sandbox of one WEC and 1,000
## simulated hub WECs with 10 ManifestWorks each.
BENCH_DIR ?= $(CURDIR)/$(BIN)/bench-sandbox
HUB_BENCH_DIR ?= $(CURDIR)/$(BIN)/hub-bench-sandbox
bench: build
	$(BIN)/wecs-sandbox up --dir $(BENCH_DIR) --nodes 150 --pods 3500
	WECS_SANDBOX_DIR=$(BENCH_DIR) go test -run '^$$' -bench . -skip HubWECs -benchmem -count 5 -timeout 60m ./... | tee $(BIN)/bench.txt; \
		status=$${PIPESTATUS[0]}; $(BIN)/wecs-sandbox down --dir $(BENCH_DIR); \
		$(BIN)/wecs-sandbox up --dir $(HUB_BENCH_DIR) --wecs 1 --nodes 1 --hub-wecs 1000 || status=1; \
		WECS_HUB_SANDBOX_DIR=$(HUB_BENCH_DIR) go test -run '^$$' -bench HubWECs -benchmem -count 5 -timeout 60m ./kube ./tui ./cmd/wecs | tee -a $(BIN)/bench.txt; \
		[ $${PIPESTATUS[0]} = 0 ] || status=1; $(BIN)/wecs-sandbox down --dir $(HUB_BENCH_DIR); \
		go run ./internal/benchtable $(BIN)/bench.txt; exit $$status

clean:
	rm -rf $(BIN) dist
