# parevm — GNU Makefile.
#
#   make              release build: build/parevm, build/libparevm.{a,so}
#   make test         everything CI runs (unit, sanitizers, conformance)
#   make debug|asan|tsan   the same targets in build/<variant>/
#
# Variants share sources; objects go to build/ (release) or build/<variant>/.
# `make help` lists the targets; V=1 shows full command lines.

.DEFAULT_GOAL := all
VARIANT ?= release
CC ?= cc
ifeq ($(CC),cc)
CC := gcc
endif

ifeq ($(VARIANT),release)
B := build
OPT := -O2 -g -DNDEBUG
else ifeq ($(VARIANT),debug)
B := build/debug
OPT := -O0 -g
else ifeq ($(VARIANT),asan)
B := build/asan
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
else ifeq ($(VARIANT),chaos)
B := build/chaos
OPT := -O1 -g -DPAREVM_CHAOS
else ifeq ($(VARIANT),tsan)
B := build/tsan
OPT := -O1 -g -fsanitize=thread
else ifeq ($(VARIANT),fuzz)
# libFuzzer targets (mk/fuzz.mk, tests/fuzz/): clang only; the library is
# instrumented for coverage, the targets link the fuzzer driver.
B := build/fuzz
CC := clang
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
else
$(error unknown VARIANT '$(VARIANT)' (release, debug, asan, tsan, chaos, fuzz))
endif

WERROR := $(if $(CI),-Werror,)
# DISPATCH=switch builds the interpreter with a plain switch instead of
# computed goto (for comparison; both are the same source).
DISPATCH ?= goto
CPPFLAGS += -Iinclude -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(if $(filter switch,$(DISPATCH)),-DEVM_DISPATCH_SWITCH,)
CFLAGS += -std=c11 $(OPT) -Wall -Wextra $(WERROR) -fPIC -MMD -MP
LDLIBS += -lsecp256k1 -lcrypto -lgmp -lcjson -lpthread -lm
LDFLAGS += $(filter -fsanitize=%,$(OPT))

LIB_SRCS := $(wildcard src/base/*.c src/state/*.c src/evm/*.c src/evmc/*.c src/chain/*.c src/exec/*.c src/io/*.c)
TOOL_SRCS := $(wildcard src/tools/*.c)
TEST_SRCS := $(wildcard tests/test_*.c)

# Quiet build: one short line per file ("  CC  src/base/rlp.c"), the
# full command with V=1, nothing with make -s. $(call quiet,TAG,NAME).
V ?= 0
ifeq ($(V),1)
Q :=
quiet :=
else
Q := @
quiet = $(if $(findstring s,$(firstword -$(MAKEFLAGS))),,printf '  %-4s %s\n' '$(1)' '$(2)';)
endif

# Optional fragments (e.g. third-party sources built by us) add to
# EXTRA_LIB_OBJS / CPPFLAGS here.
EXTRA_LIB_OBJS :=
-include mk/*.mk

LIB_OBJS := $(LIB_SRCS:%.c=$(B)/obj/%.o) $(EXTRA_LIB_OBJS)
TOOL_OBJS := $(TOOL_SRCS:%.c=$(B)/obj/%.o)
TESTS := $(TEST_SRCS:tests/%.c=$(B)/tests/%)

SETUP_STAMP := build/.setup-done

.PHONY: all lib tests test check-unit clean debug asan tsan setup demo
all: $(B)/parevm $(B)/libparevm.a $(B)/libparevm.so
lib: $(B)/libparevm.a $(B)/libparevm.so

$(SETUP_STAMP): scripts/setup
	@bash scripts/setup
	@mkdir -p build && touch $@
setup: $(SETUP_STAMP)

$(B)/obj/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(call quiet,CC,$<)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(B)/libparevm.a: $(LIB_OBJS)
	@rm -f $@
	$(Q)$(call quiet,AR,$@)ar rcs $@ $^

$(B)/libparevm.so: $(LIB_OBJS)
	$(Q)$(call quiet,LD,$@)$(CC) -shared $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The commit bench and its report print (src/tools/machine.c): git
# describe of this checkout ("-dirty" with uncommitted changes), "unknown"
# outside one; GIT_COMMIT=... on the command line or in the environment
# overrides it. The stamp file changes only when the commit does, so only
# machine.o is rebuilt then.
ifndef GIT_COMMIT
GIT_COMMIT := $(shell git describe --always --dirty --abbrev=12 --exclude='*' 2>/dev/null || echo unknown)
endif
BUILD_COMMIT := $(subst ",,$(subst ',,$(subst \,,$(GIT_COMMIT))))
$(B)/git-commit.txt: FORCE
	@mkdir -p $(dir $@)
	@echo '$(BUILD_COMMIT)' | cmp -s - $@ 2>/dev/null || echo '$(BUILD_COMMIT)' >$@
$(B)/obj/src/tools/machine.o: $(B)/git-commit.txt
$(B)/obj/src/tools/machine.o: CPPFLAGS += -DPAREVM_GIT_COMMIT='"$(BUILD_COMMIT)"'
.PHONY: FORCE
FORCE:

$(B)/parevm: $(TOOL_OBJS) $(B)/libparevm.a
	$(Q)$(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $(TOOL_OBJS) $(B)/libparevm.a $(LDLIBS)

# A test links the library and any objects listed as its prerequisites
# (tests of tool code: below). Tests include headers, never .c files.
$(B)/tests/%: tests/%.c $(B)/libparevm.a | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(call quiet,CC,$@)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(filter %.o,$^) $(B)/libparevm.a \
		$(LDLIBS) -lcmocka

# The generator and the report are part of the CLI, not the library.
GEN_OBJS := $(addprefix $(B)/obj/src/tools/,gen.o gen_workloads.o gen_suite.o options.o util.o)
$(B)/tests/test_gen $(B)/tests/test_scenarios $(B)/tests/test_determinism $(B)/tests/test_ctx \
	$(B)/tests/test_balexec $(B)/tests/test_bal_corrupt: $(GEN_OBJS)
$(B)/tests/test_report: $(B)/obj/src/tools/report.o
$(B)/tests/test_options: $(B)/obj/src/tools/options.o

# The EVMC test dlopens the shared library of its variant.
$(B)/tests/test_evmc: $(B)/libparevm.so

tests: $(TESTS)

debug:
	$(MAKE) VARIANT=debug all tests
asan:
	$(MAKE) VARIANT=asan all tests
tsan:
	$(MAKE) VARIANT=tsan all tests

include mk-test.inc

# The main job: synthetic and mainnet blocks, sequential vs parallel.
demo: all
	@bash scripts/demo.sh

clean:
	rm -rf build

# (a test's .d: its header dependencies, written beside it by -MMD)
-include $(LIB_OBJS:.o=.d) $(TOOL_OBJS:.o=.d) $(TESTS:=.d)
