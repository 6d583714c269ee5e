# libFuzzer targets (tests/fuzz/fuzz_<name>.c), built in VARIANT=fuzz
# (clang, ASan+UBSan, coverage-instrumented library).
#
#   make fuzz FUZZ_SECONDS=N   each target for N s (default 60) on its
#                              corpus build/fuzz/corpus/<name> (seeded by
#                              scripts/fuzz-seed); a crash fails, its
#                              reproducer kept in build/fuzz/crashes/<name>/
#   make fuzz-regress          replay tests/fuzz/regress/<name>/* (every
#                              crash ever found) through each target
#   make fuzz-build            build the targets only
#
# The targets always build with clang in build/fuzz, whatever VARIANT the
# caller uses; these rules re-invoke make with VARIANT=fuzz.

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_SECONDS ?= 60

.PHONY: fuzz fuzz-build fuzz-regress

ifeq ($(VARIANT),fuzz)
FUZZ_BINS := $(FUZZ_NAMES:%=$(B)/fuzz/fuzz_%)

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(B)/libparevm.a | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(call quiet,CC,$@)$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(B)/libparevm.a $(LDLIBS)

fuzz-build: $(FUZZ_BINS)
fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz-run $(FUZZ_NAMES)
fuzz-regress: fuzz-build
	@bash scripts/fuzz-regress $(FUZZ_NAMES)
else
fuzz fuzz-build fuzz-regress:
	@$(MAKE) --no-print-directory VARIANT=fuzz $@
endif
