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
