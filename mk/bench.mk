# Benchmarks built against libparevm.a: `make build/bench_precompiles`
# (or build/<variant>/bench_precompiles), `make benches` for all of them.

BENCHES += $(B)/bench_precompiles

.PHONY: benches
benches: $(BENCHES)

$(B)/bench_precompiles: bench/bench_precompiles.c $(B)/libparevm.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libparevm.a $(LDLIBS)
