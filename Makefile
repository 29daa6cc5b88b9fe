# ctxlab: one entry point. `make help` lists the targets.
#
# Every C file is built with frame pointers and debug info: stacks are what
# the labs show, and -fno-inline/-fno-optimize-sibling-calls keep each
# function of the stage clients a frame of its own in those stacks.

BUILD   := build
BIN     := $(BUILD)/bin
OBJ     := $(BUILD)/obj
TESTBIN := $(BUILD)/tests

CC      ?= cc
CFLAGS  := -std=gnu11 -Wall -Wextra -Werror -O2 -g \
           -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
           -fno-inline -fno-optimize-sibling-calls -D_GNU_SOURCE
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all

CLIENT_LIB_SRC := $(wildcard clients/lib/*.c)
CLIENT_LIB_HDR := $(wildcard clients/lib/*.h)
CLIENT_LIB_OBJ := $(CLIENT_LIB_SRC:%.c=$(OBJ)/%.o)
CLIENT_LIB_ASAN_OBJ := $(CLIENT_LIB_SRC:%.c=$(OBJ)/asan/%.o)

# stage source -> binary name (short, so `comm` filters work)
ALL_STAGES := 01-blocking:c-blocking 02-nonblocking:c-nonblock 03-epoll:c-epoll 04-deadline:c-deadline \
              05-cancel:c-cancel
STAGES := $(foreach s,$(ALL_STAGES),$(if $(wildcard clients/$(word 1,$(subst :, ,$(s))).c),$(s)))
stage_bin = $(BIN)/$(word 2,$(subst :, ,$(1)))
CLIENT_BINS := $(foreach s,$(STAGES),$(call stage_bin,$(s)))

SERVER_SRC := $(wildcard server/*.c)
SERVER_HDR := $(wildcard server/*.h)

# tracediff: everything but main.c is a library the unit tests link too.
TRACEDIFF_SRC := $(wildcard scripts/tracediff/*.c)
TRACEDIFF_HDR := $(wildcard scripts/tracediff/*.h)
TRACEDIFF_LIB_SRC := $(filter-out scripts/tracediff/main.c,$(TRACEDIFF_SRC))
TRACEDIFF_LIB_ASAN_OBJ := $(TRACEDIFF_LIB_SRC:%.c=$(OBJ)/asan/%.o)

# go-client: Debian's Go, standard library only, no network, caches under build/.
GO_SRC := $(wildcard go-reference/*.go) go-reference/go.mod
# (quoted: the checkout's path may hold a space)
GO_ENV := CGO_ENABLED=0 GOPROXY=off GOFLAGS=-mod=mod GOCACHE="$(CURDIR)/$(BUILD)/go-cache" \
          GOPATH="$(CURDIR)/$(BUILD)/gopath" HOME="$(CURDIR)/$(BUILD)"

# eBPF tools: bpf/NAME.bpf.c (kernel side) + bpf/NAME.c (loader, CLI) +
# bpf/NAME.h (shared), with bpf/lib/*.c shared by every tool (symbolizing).
# vmlinux.h comes from this kernel's BTF; the skeleton from bpftool.
BPF_TOOLS := $(patsubst bpf/%.bpf.c,%,$(wildcard bpf/*.bpf.c))
BPF_LIB_SRC := $(wildcard bpf/lib/*.c)
BPF_HDR := $(wildcard bpf/*.h bpf/lib/*.h)
BPF_OUT := $(BUILD)/bpf
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror -I$(BPF_OUT) -Ibpf
BPF_LDLIBS := $(shell pkg-config --libs libbpf libdw libelf 2>/dev/null || echo -lbpf -ldw -lelf) -lz

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(TESTBIN)/%)
TEST_TOOLS := $(TESTBIN)/stallflood $(if $(wildcard tests/bench/readloop.c),$(TESTBIN)/readloop)

.PHONY: all help setup doctor test test-unit go-check clean labs lab-1 lab-2 lab-3 lab-4 lab-5 lab-6 lab-7 docs bench
.DEFAULT_GOAL := all

ALL_BINS := $(CLIENT_BINS) $(BIN)/labserver $(if $(TRACEDIFF_SRC),$(BIN)/tracediff) \
            $(addprefix $(BIN)/,$(BPF_TOOLS)) \
            $(if $(wildcard go-reference/go.mod),$(BIN)/go-client)

all: $(ALL_BINS) ## build every binary into build/bin

help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z0-9-]+):.*## (.*)/  make \1\t\2/' | expand -t 24

setup: ## install the Debian packages ctxlab needs and mount tracefs (root), or say how
	@scripts/setup.sh

doctor: ## check every prerequisite of the labs: kernel, BTF, privileges, tools
	@scripts/doctor.sh

test: all $(UNIT_BINS) $(TEST_TOOLS) ## build, then run unit, Go, integration and leak tests
	@tests/run.sh all

test-unit: $(UNIT_BINS) ## run the cmocka unit tests only
	@tests/run.sh unit

lab-1: all ## lab 1: a blocking client, and why it cannot be cancelled
	@scripts/lab.sh 1
lab-2: all ## lab 2: non-blocking sockets, EAGAIN, and what retrying costs
	@scripts/lab.sh 2
lab-3: all ## lab 3: epoll, the kernel says when
	@scripts/lab.sh 3
lab-4: all ## lab 4: a 200 ms deadline, C and Go side by side
	@scripts/lab.sh 4
lab-5: all ## lab 5: Go 1.19 under the microscope
	@scripts/lab.sh 5
lab-6: all ## lab 6: who calls close()? eBPF stacks for C and Go (root)
	@scripts/lab.sh 6
lab-7: all ## lab 7: cancel during the body, C and Go cancel chains (root)
	@scripts/lab.sh 7
labs: all ## run every lab in order
	@for n in 1 2 3 4 5 6 7; do scripts/lab.sh $$n || exit 1; echo; done

bench: all $(TESTBIN)/readloop ## measure performance targets, reported as ratios
	@scripts/bench.sh

docs: all ## run the labs and paste their real output into docs/lab-N.md
	@scripts/capture-docs.sh

clean: ## remove build/ and out/
	rm -rf $(BUILD) out

# Packages come first: every build rule waits for setup (a fast no-op once done).
$(BUILD)/.dirs: | setup
	@mkdir -p $(BIN) $(TESTBIN) $(OBJ)
	@touch $@

$(OBJ)/%.o: %.c $(CLIENT_LIB_HDR) $(TRACEDIFF_HDR) | $(BUILD)/.dirs
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(OBJ)/asan/%.o: %.c $(CLIENT_LIB_HDR) $(TRACEDIFF_HDR) | $(BUILD)/.dirs
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANITIZE) -c $< -o $@

define stage_rule
$(call stage_bin,$(1)): clients/$(word 1,$(subst :, ,$(1))).c $(CLIENT_LIB_OBJ) $(CLIENT_LIB_HDR) | $(BUILD)/.dirs
	$$(CC) $$(CFLAGS) -Iclients $$< $(CLIENT_LIB_OBJ) -pthread -o $$@
endef
$(foreach s,$(STAGES),$(eval $(call stage_rule,$(s))))

$(BIN)/labserver: $(SERVER_SRC) $(SERVER_HDR) | $(BUILD)/.dirs
	$(CC) $(CFLAGS) $(SERVER_SRC) -o $@

# Unit tests run against the library built with ASan and UBSan; keep its
# objects between test binaries.
.SECONDARY: $(CLIENT_LIB_ASAN_OBJ) $(TRACEDIFF_LIB_ASAN_OBJ) $(BPF_TOOLS:%=$(BPF_OUT)/%.bpf.o) $(BPF_TOOLS:%=$(BPF_OUT)/%.skel.h)
$(TESTBIN)/test_%: tests/unit/test_%.c tests/unit/escaped.h $(CLIENT_LIB_ASAN_OBJ) $(CLIENT_LIB_HDR) | $(BUILD)/.dirs
	$(CC) $(CFLAGS) $(SANITIZE) -Iclients $< $(CLIENT_LIB_ASAN_OBJ) -lcmocka -pthread -o $@

$(TESTBIN)/test_tracediff%: tests/unit/test_tracediff%.c tests/unit/tracediff_fixture.h $(TRACEDIFF_LIB_ASAN_OBJ) $(TRACEDIFF_HDR) | $(BUILD)/.dirs
	$(CC) $(CFLAGS) $(SANITIZE) -Iscripts $< $(TRACEDIFF_LIB_ASAN_OBJ) -lcmocka -o $@

$(BIN)/tracediff: $(TRACEDIFF_SRC) $(TRACEDIFF_HDR) | $(BUILD)/.dirs
	$(CC) $(CFLAGS) $(TRACEDIFF_SRC) -o $@

$(BIN)/go-client: $(GO_SRC) | $(BUILD)/.dirs
	cd go-reference && $(GO_ENV) go build -trimpath -o "$(CURDIR)/$@" .

go-check: $(GO_SRC) | $(BUILD)/.dirs ## go vet and go test for go-client
	cd go-reference && $(GO_ENV) go vet ./... && $(GO_ENV) go test -v -count=1 ./...

$(BPF_OUT)/vmlinux.h: | $(BUILD)/.dirs
	@mkdir -p $(BPF_OUT)
	@test -r /sys/kernel/btf/vmlinux || { echo "no /sys/kernel/btf/vmlinux: the eBPF tools need a kernel with BTF (make doctor)" >&2; exit 1; }
	bpftool btf dump file /sys/kernel/btf/vmlinux format c >$@.tmp && mv $@.tmp $@

$(BPF_OUT)/%.bpf.o: bpf/%.bpf.c $(BPF_HDR) $(BPF_OUT)/vmlinux.h
	clang $(BPF_CFLAGS) -c $< -o $@

$(BPF_OUT)/%.skel.h: $(BPF_OUT)/%.bpf.o
	bpftool gen skeleton $< >$@.tmp && mv $@.tmp $@

$(BIN)/%: bpf/%.c $(BPF_LIB_SRC) $(BPF_HDR) $(BPF_OUT)/%.skel.h | $(BUILD)/.dirs
	$(CC) $(CFLAGS) -I$(BPF_OUT) -Ibpf $< $(BPF_LIB_SRC) $(BPF_LDLIBS) -o $@

$(TESTBIN)/readloop: tests/bench/readloop.c | $(BUILD)/.dirs
	$(CC) $(CFLAGS) $< -o $@

$(TESTBIN)/stallflood: tests/integration/stallflood.c | $(BUILD)/.dirs
	$(CC) $(CFLAGS) $< -o $@
