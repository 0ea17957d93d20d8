# mk/peers-rust-go.mk: the rayon, crossbeam-deque and Go peers.
#
#   make peers-rust-go       the rayon, crossbeam and Go peers, from Debian's packages (installed when it may)
#   make peers-rust-go-test  their ports' unit tests, go vet
#
# Built offline, from Debian's packages only, with Debian's toolchains:
# cargo and rustc of Debian 12 (cargo 0.66, rustc 1.63; a rustup cargo first
# in PATH is not used: CARGO=... RUSTC=... RUSTDOC=... choose others, all
# three together), the crates from librust-rayon-dev and
# librust-crossbeam-deque-dev, which lesson06_benchmark/peers/rust/.cargo/
# config.toml names as cargo's only source; Go 1.19 of golang-go, a go.mod
# with no dependencies.  Each Rust peer's Cargo.lock is committed, as Debian
# 12's cargo wrote it from Debian 12's crates, and cargo runs --locked: the
# build writes nothing into the source tree, and the crates' versions are
# part of what a peer's row measured.  (On another Debian release cargo
# stops and says that the lock file needs updating.)  Everything the build
# writes goes under $(PEERS): cargo's target directory and CARGO_HOME, Go's
# GOCACHE and GOPATH; nothing into $HOME.

CARGO ?= /usr/bin/cargo
RUSTC ?= /usr/bin/rustc
RUSTDOC ?= /usr/bin/rustdoc
GO ?= /usr/bin/go

RUST_DIR := $(PEER_DIR)/rust
GO_DIR := $(PEER_DIR)/go
RUST_GO_PEERS := $(PEERS)/peer-rayon $(PEERS)/peer-crossbeam $(PEERS)/peer-go

# cargo finds .cargo/config.toml from the directory it runs in: each rule
# runs it in the package's own directory, under lesson06_benchmark/peers/rust/.
CARGO_ENV = CARGO_TARGET_DIR=$(abspath $(PEERS))/cargo CARGO_HOME=$(abspath $(PEERS))/cargo-home \
            RUSTC=$(RUSTC) RUSTDOC=$(RUSTDOC)
CARGO_BUILD = $(CARGO_ENV) $(CARGO) build --release --locked --quiet
GO_ENV = GOCACHE=$(abspath $(PEERS))/go-cache GOPATH=$(abspath $(PEERS))/gopath \
         GOFLAGS=-mod=readonly GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0
RUST_COMMON := $(RUST_DIR)/.cargo/config.toml $(RUST_DIR)/peer/Cargo.toml \
               $(wildcard $(RUST_DIR)/peer/src/*.rs)

$(PEERS)/peer-rayon: $(RUST_DIR)/rayon/Cargo.toml $(RUST_DIR)/rayon/Cargo.lock \
        $(wildcard $(RUST_DIR)/rayon/src/*.rs) $(RUST_COMMON)
	@rm -f $@ && mkdir -p $(@D)
	$(Q)cd $(RUST_DIR)/rayon && $(CARGO_BUILD)
	$(Q)cp $(PEERS)/cargo/release/peer-rayon $@

$(PEERS)/peer-crossbeam: $(RUST_DIR)/crossbeam/Cargo.toml $(RUST_DIR)/crossbeam/Cargo.lock \
        $(wildcard $(RUST_DIR)/crossbeam/src/*.rs) $(RUST_COMMON)
	@rm -f $@ && mkdir -p $(@D)
	$(Q)cd $(RUST_DIR)/crossbeam && $(CARGO_BUILD)
	$(Q)cp $(PEERS)/cargo/release/peer-crossbeam $@

$(PEERS)/peer-go: $(GO_DIR)/go.mod $(wildcard $(GO_DIR)/*.go $(GO_DIR)/*.s)
	@rm -f $@ && mkdir -p $(@D)
	$(Q)cd $(GO_DIR) && $(GO_ENV) $(GO) build -trimpath -o $(abspath $@) .

# Installs what it may (deps.sh), builds what it can, and says what is
# missing, as `make peers` does for the C and C++ peers:
# $(call say_missing,PROGRAM,NAME,TOOLS_THERE,PACKAGES) says why PROGRAM was
# not built: the build failed (TOOLS_THERE succeeds), or what to install.
say_missing = [ -x $(PEERS)/$(1) ] || if $(3); \
    then echo "bench: no $(2) peer (the build failed: $(PEERS)/build-rust-go.log; the Rust peers' lock files want Debian 12's crates)"; \
    else echo "bench: no $(2) peer; for it:  sudo apt-get install $(4)"; fi
RAYON_DEBS := cargo librust-rayon-dev
CB_DEBS := cargo librust-crossbeam-deque-dev
have_crate = [ -x $(CARGO) ] && ls -d /usr/share/cargo/registry/$(1)-[0-9]* >/dev/null 2>&1

.PHONY: peers-rust-go peers-rust-go-test
peers-rust-go:
	-$(Q)sh common/scripts/deps.sh rust
	-$(Q)sh common/scripts/deps.sh go
	@mkdir -p $(PEERS)
	-$(Q)$(MAKE) --no-print-directory -k $(RUST_GO_PEERS) >$(PEERS)/build-rust-go.log 2>&1
	@$(call say_missing,peer-rayon,rayon,$(call have_crate,rayon),$(RAYON_DEBS))
	@$(call say_missing,peer-crossbeam,crossbeam-deque,$(call have_crate,crossbeam-deque),$(CB_DEBS))
	@$(call say_missing,peer-go,Go,[ -x $(GO) ],golang-go)

# The Rust peers' shared crate (its tests run from rayon/, whose lock file
# covers it) and the Go peer: unit tests of the ports, and go vet.
peers-rust-go-test:
	$(Q)sh common/scripts/deps.sh rust go
	$(Q)cd $(RUST_DIR)/rayon && $(CARGO_ENV) $(CARGO) test --locked --quiet -p peer
	$(Q)cd $(GO_DIR) && $(GO_ENV) $(GO) vet . && $(GO_ENV) $(GO) test .
