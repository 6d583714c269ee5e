# Benchmarks built against libparevm.a: `make build/bench_precompiles`
# (or build/<variant>/bench_precompiles), `make benches` for all of them.

BENCHES += $(B)/bench_precompiles

.PHONY: benches
benches: $(BENCHES)

$(B)/bench_precompiles: bench/bench_precompiles.c $(B)/libparevm.a
	@mkdir -p $(dir $@)
	$(Q)$(call quiet,CC,$@)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libparevm.a $(LDLIBS)

# Interpreter benchmark on evm-benchmarks main and micro (scripts/bench-interp):
# parevm's exec (+analysis) and tx-setup medians per case; with
# EVMONE_BENCH=/path/to/evmone-bench, evmone's time, the ratio and the geomean
# from interleaved rounds; BENCH_INTERP_ARGS for more (--baseline OLD, --json F).
.PHONY: bench-interp
bench-interp: $(B)/parevm
	scripts/bench-interp --parevm $(B)/parevm $(if $(EVMONE_BENCH),--evmone $(EVMONE_BENCH)) $(BENCH_INTERP_ARGS)

# Differential fuzzer against evmone's t8n (scripts/diff-evmone; not part of
# `make test`): EVMONE=/path/to/evmone, DIFF_EVMONE_ARGS for more (--cases N,
# --seed S, --threads 1,4, --out DIR, --trace-all, --max-txs N). Without
# EVMONE it prints "skipped: evmone not found".
.PHONY: diff-evmone
diff-evmone: $(B)/parevm
	scripts/diff-evmone --parevm $(B)/parevm $(if $(EVMONE),--evmone $(EVMONE)) $(DIFF_EVMONE_ARGS)
