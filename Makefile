# ctxlab: one entry point. `make help` lists the targets.
#
# Every C file is built with frame pointers and debug info: stacks are what
# the labs show. The stage clients and their lib also get STACK_FLAGS, so
# that each of their functions is a frame of its own in those stacks.
# Header dependencies come from the compiler (-MMD -MP, build/obj/**/*.d).

BUILD   := build
BIN     := $(BUILD)/bin
OBJ     := $(BUILD)/obj
TESTBIN := $(BUILD)/tests

# Only this file's rules (no built-in ones: faster, and no surprises).
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:

CC      ?= cc
CFLAGS  := -std=gnu11 -Wall -Wextra -Werror -O2 -g \
           -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -D_GNU_SOURCE
DEPFLAGS := -MMD -MP
STACK_FLAGS := -fno-inline -fno-optimize-sibling-calls
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all

CLIENT_LIB_SRC := $(wildcard clients/lib/*.c)
CLIENT_LIB_OBJ := $(CLIENT_LIB_SRC:%.c=$(OBJ)/%.o)
CLIENT_LIB_ASAN_OBJ := $(CLIENT_LIB_SRC:%.c=$(OBJ)/asan/%.o)

# stage source -> binary name (short, so `comm` filters work)
ALL_STAGES := 01-blocking:c-blocking 02-nonblocking:c-nonblock 03-epoll:c-epoll 04-deadline:c-deadline \
              05-cancel:c-cancel
STAGES := $(foreach s,$(ALL_STAGES),$(if $(wildcard clients/$(word 1,$(subst :, ,$(s))).c),$(s)))
stage_bin = $(BIN)/$(word 2,$(subst :, ,$(1)))
stage_obj = $(OBJ)/clients/$(word 1,$(subst :, ,$(1))).o
CLIENT_BINS := $(foreach s,$(STAGES),$(call stage_bin,$(s)))

SERVER_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(wildcard server/*.c))

# tracediff: everything but main.c is a library the unit tests link too.
TRACEDIFF_SRC := $(wildcard scripts/tracediff/*.c)
TRACEDIFF_OBJ := $(TRACEDIFF_SRC:%.c=$(OBJ)/%.o)
TRACEDIFF_LIB_SRC := $(filter-out scripts/tracediff/main.c,$(TRACEDIFF_SRC))
TRACEDIFF_LIB_ASAN_OBJ := $(TRACEDIFF_LIB_SRC:%.c=$(OBJ)/asan/%.o)

# go-client: Debian's Go, standard library only, no network, caches under build/.
GO_SRC := $(wildcard go-reference/*.go) go-reference/go.mod
# (quoted: the checkout's path may hold a space)
GO_ENV := CGO_ENABLED=0 GOPROXY=off GOFLAGS=-mod=mod GOCACHE="$(CURDIR)/$(BUILD)/go-cache" \
          GOPATH="$(CURDIR)/$(BUILD)/gopath" HOME="$(CURDIR)/$(BUILD)"

# eBPF tools: bpf/NAME.bpf.c (kernel side) + bpf/NAME.c (loader, CLI) +
# bpf/NAME_*.c (the rest of that tool's user side) + bpf/NAME.h (shared with
# the kernel side), with bpf/lib/*.c shared by every tool. vmlinux.h comes
# from this kernel's BTF; the skeleton from bpftool.
BPF_TOOLS := $(patsubst bpf/%.bpf.c,%,$(wildcard bpf/*.bpf.c))
BPF_LIB_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(wildcard bpf/lib/*.c))
BPF_OUT := $(BUILD)/bpf
BPF_SKELS := $(BPF_TOOLS:%=$(BPF_OUT)/%.skel.h)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror -I$(BPF_OUT) -Ibpf
BPF_LDLIBS := $(shell pkg-config --libs libbpf libdw libelf 2>/dev/null || echo -lbpf -ldw -lelf) -lz
bpf_tool_obj = $(patsubst %.c,$(OBJ)/%.o,bpf/$(1).c $(wildcard bpf/$(1)_*.c))

# Labs are found by name: scripts/labs/lab-N.sh is `make lab-N`. A lab
# whose `# needs:` line says btf needs the eBPF tools; the others build
# without them, so they run on a kernel without BTF too.
LABS := $(shell scripts/lab.sh --list | cut -f 1)
LAB_TARGETS := $(LABS:%=lab-%)
BTF_LABS := $(shell scripts/lab.sh --needs | awk -F '\t' '$$3 == "yes" { print $$1 }')

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(TESTBIN)/%)
TEST_TOOLS := $(TESTBIN)/stallflood $(if $(wildcard tests/bench/readloop.c),$(TESTBIN)/readloop)

.PHONY: all help setup doctor test test-unit go-check clean labs $(LAB_TARGETS) docs report bench
.DEFAULT_GOAL := all

ALL_BINS := $(CLIENT_BINS) $(BIN)/labserver $(if $(TRACEDIFF_SRC),$(BIN)/tracediff) \
            $(addprefix $(BIN)/,$(BPF_TOOLS)) \
            $(if $(wildcard go-reference/go.mod),$(BIN)/go-client)

all: $(ALL_BINS) ## build every binary into build/bin

# What the strace labs and the exercises use: no eBPF tool, so no BTF needed.
NO_BPF_BINS := $(filter-out $(addprefix $(BIN)/,$(BPF_TOOLS)),$(ALL_BINS))

# (the labs' lines come from their scripts' `# help:` lines)
help: ## list the targets
	@awk '/^\$$\(LAB_TARGETS\):/ { while (("scripts/lab.sh --list" | getline lab) > 0) { \
	        split(lab, f, "\t"); printf "  make lab-%s\tlab %s: %s\n", f[1], f[1], f[2] }; next } \
	      /^[a-z0-9-]+:.*## / { sub(/:.*## /, "\t"); print "  make " $$0 }' $(MAKEFILE_LIST) | expand -t 24

setup: ## install the Debian packages ctxlab needs and mount tracefs (root), or say how
	@scripts/setup.sh

doctor: ## check every prerequisite of the labs: kernel, BTF, privileges, tools
	@scripts/doctor.sh

test: all $(UNIT_BINS) $(TEST_TOOLS) ## build, then run unit, Go, integration and leak tests
	@tests/run.sh all

test-unit: $(UNIT_BINS) ## run the cmocka unit tests only
	@tests/run.sh unit

$(LAB_TARGETS): lab-%:
	@scripts/lab.sh $*
$(foreach n,$(LABS),$(eval lab-$(n): $(if $(filter $(n),$(BTF_LABS)),all,$(NO_BPF_BINS))))
labs: all ## run every lab in order
	@for n in $(LABS); do scripts/lab.sh $$n || exit 1; echo; done

bench: all $(TESTBIN)/readloop ## measure performance targets, reported as ratios
	@scripts/bench.sh

docs: all ## run the labs and paste their real output into docs/lab-N.md
	@scripts/capture-docs.sh

report: all ## run every lab and write one page of them all: out/index.html
	@scripts/report.sh

clean: ## remove build/ and out/
	rm -rf $(BUILD) out

# Packages come first: every build rule waits for setup (a fast no-op once done).
$(BUILD)/.dirs: | setup
	@mkdir -p $(BIN) $(TESTBIN) $(OBJ)
	@touch $@

# One object per source; the stage clients and their lib keep every
# function a frame of its own.
$(OBJ)/clients/%.o: CFLAGS += $(STACK_FLAGS) -Iclients
$(OBJ)/asan/clients/%.o: CFLAGS += $(STACK_FLAGS) -Iclients
$(OBJ)/bpf/%.o: CFLAGS += -I$(BPF_OUT) -Ibpf

$(OBJ)/%.o: %.c | $(BUILD)/.dirs
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(OBJ)/asan/%.o: %.c | $(BUILD)/.dirs
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANITIZE) $(DEPFLAGS) -c $< -o $@

define stage_rule
$(call stage_bin,$(1)): $(call stage_obj,$(1)) $(CLIENT_LIB_OBJ)
	$$(CC) $$(CFLAGS) $$^ -pthread -o $$@
endef
$(foreach s,$(STAGES),$(eval $(call stage_rule,$(s))))

$(BIN)/labserver: $(SERVER_OBJ)
	$(CC) $(CFLAGS) $^ -o $@

$(BIN)/tracediff: $(TRACEDIFF_OBJ)
	$(CC) $(CFLAGS) $^ -o $@

# Unit tests run against the libraries built with ASan and UBSan; keep their
# objects between test binaries.
.SECONDARY:
# (static pattern rules: their objects are made like any other, where an
# implicit rule could not use the object rule twice in one chain)
TRACEDIFF_TESTS := $(filter $(TESTBIN)/test_tracediff%,$(UNIT_BINS))
$(filter-out $(TRACEDIFF_TESTS),$(UNIT_BINS)): $(TESTBIN)/test_%: $(OBJ)/asan/tests/unit/test_%.o $(CLIENT_LIB_ASAN_OBJ)
	$(CC) $(CFLAGS) $(SANITIZE) $^ -lcmocka -pthread -o $@

$(TRACEDIFF_TESTS): $(TESTBIN)/test_tracediff%: $(OBJ)/asan/tests/unit/test_tracediff%.o $(TRACEDIFF_LIB_ASAN_OBJ)
	$(CC) $(CFLAGS) $(SANITIZE) $^ -lcmocka -o $@
$(OBJ)/asan/tests/unit/%.o: CFLAGS += -Iclients -Iscripts

$(BIN)/go-client: $(GO_SRC) | $(BUILD)/.dirs
	cd go-reference && $(GO_ENV) go build -trimpath -o "$(CURDIR)/$@" .

go-check: $(GO_SRC) | $(BUILD)/.dirs ## go vet and go test for go-client
	cd go-reference && $(GO_ENV) go vet ./... && $(GO_ENV) go test -v -count=1 ./...

$(BPF_OUT)/vmlinux.h: | $(BUILD)/.dirs
	@mkdir -p $(BPF_OUT)
	@test -r /sys/kernel/btf/vmlinux || { echo "no /sys/kernel/btf/vmlinux: the eBPF tools need a kernel with BTF (make doctor)" >&2; exit 1; }
	bpftool btf dump file /sys/kernel/btf/vmlinux format c >$@.tmp && mv $@.tmp $@

$(BPF_OUT)/%.bpf.o: bpf/%.bpf.c $(BPF_OUT)/vmlinux.h
	clang $(BPF_CFLAGS) $(DEPFLAGS) -MF $@.d -c $< -o $@

$(BPF_OUT)/%.skel.h: $(BPF_OUT)/%.bpf.o
	bpftool gen skeleton $< >$@.tmp && mv $@.tmp $@

# A tool's user side includes its skeleton: every skeleton exists before
# any of them compiles (the .d files say which one each really needs).
$(patsubst %.c,$(OBJ)/%.o,$(wildcard bpf/*.c bpf/lib/*.c)): | $(BPF_SKELS)

define bpf_tool_rule
$(BIN)/$(1): $(call bpf_tool_obj,$(1)) $(BPF_LIB_OBJ)
	$$(CC) $$(CFLAGS) $$^ $(BPF_LDLIBS) -o $$@
endef
$(foreach t,$(BPF_TOOLS),$(eval $(call bpf_tool_rule,$(t))))

$(TESTBIN)/readloop: $(OBJ)/tests/bench/readloop.o
	$(CC) $(CFLAGS) $^ -o $@

$(TESTBIN)/stallflood: $(OBJ)/tests/integration/stallflood.o
	$(CC) $(CFLAGS) $^ -o $@

# The exercises' targets (check-exercise-N): their own file, next to them.
include exercises/exercises.mk

-include $(shell find $(OBJ) $(BPF_OUT) -name '*.d' 2>/dev/null)
