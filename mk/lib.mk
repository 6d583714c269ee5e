# The embeddable library (issue 19): include/parevm.h over src/api/.
#
#   make install PREFIX=DIR   header, libparevm.a, libparevm.so(.0) and
#                             lib/pkgconfig/parevm.pc under DIR
#                             (default /usr/local; DESTDIR for staging)
#
# Objects are compiled with -fvisibility=hidden and the shared library is
# linked with a version script (mk/libparevm.map), so it exports only
# parevm_* and evmc_create_parevm: blst's blst_* (global in its partially
# linked object, mk/kzg.mk) are hidden too. libsecp256k1, libcrypto, GMP
# and cJSON are shared libraries it depends on, not parts of it. Tests
# link libparevm.a, where hidden symbols still resolve between objects.

LIB_SRCS += $(wildcard src/api/*.c)
CFLAGS += -fvisibility=hidden

PAREVM_VERSION := $(shell sed -n 's/^\#define PAREVM_VERSION "\(.*\)"/\1/p' include/parevm.h)
PAREVM_SOVERSION := 0
PAREVM_SONAME := libparevm.so.$(PAREVM_SOVERSION)
LIB_MAP := mk/libparevm.map

# -z defs: every symbol the library uses resolves at link time (not under
# sanitizers, whose runtimes only the executable links).
$(B)/libparevm.so: LDFLAGS += -Wl,-soname,$(PAREVM_SONAME) -Wl,--version-script=$(LIB_MAP) \
	$(if $(filter -fsanitize=%,$(OPT)),,-Wl,-z,defs)
# Order-only: $^ (the link inputs) must not list the map.
$(B)/libparevm.so: | $(LIB_MAP)

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include

.PHONY: install
install: $(B)/libparevm.a $(B)/libparevm.so
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 include/parevm.h $(DESTDIR)$(INCLUDEDIR)/parevm.h
	install -m 644 $(B)/libparevm.a $(DESTDIR)$(LIBDIR)/libparevm.a
	install -m 755 $(B)/libparevm.so $(DESTDIR)$(LIBDIR)/libparevm.so.$(PAREVM_VERSION)
	ln -sf libparevm.so.$(PAREVM_VERSION) $(DESTDIR)$(LIBDIR)/$(PAREVM_SONAME)
	ln -sf $(PAREVM_SONAME) $(DESTDIR)$(LIBDIR)/libparevm.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(PAREVM_VERSION)|' -e 's|@LIBS@|$(LDLIBS)|' \
	    mk/parevm.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/parevm.pc

# `make help`: the targets people type (keep in step when adding one).
.PHONY: help
help:
	@printf '%s\n' \
	  'parevm make targets (VARIANT=release|debug|asan|tsan|chaos|fuzz picks build/<variant>/):' \
	  '  all (default)    build/parevm, build/libparevm.a, build/libparevm.so' \
	  '  lib              the libraries only' \
	  '  tests            the cmocka unit tests, build/tests/test_*' \
	  '  build/tests/test_NAME   one unit test (build/asan/tests/... with VARIANT=asan)' \
	  '  test             everything CI runs (scripts/test.sh; ~20 min)' \
	  '  test-full        the same with the slow conformance tests' \
	  '  check-unit       build and run the unit tests only' \
	  '  stress | chaos   determinism under repetition / injected scheduling noise' \
	  '  debug | asan | tsan   all + tests in build/debug, build/asan, build/tsan' \
	  '  install          header, libraries, parevm.pc under PREFIX (default /usr/local)' \
	  '  benches          benchmark programs (bench/); bench-interp: interpreter benchmark' \
	  '  diff-evmone      differential fuzzer against evmone t8n (EVMONE=path; not in test)' \
	  '  fuzz | fuzz-regress | fuzz-build   libFuzzer targets (clang)' \
	  '  mpi              build/parevm-mpi (census --mpi), when mpicc is present' \
	  '  demo             synthetic and mainnet blocks, sequential vs parallel' \
	  '  setup            system packages and third-party sources (scripts/setup)' \
	  '  clean            remove build/' \
	  'variables: V=1 full command lines; CI=1 warnings as errors; DISPATCH=switch;' \
	  '           PREFIX, LIBDIR, INCLUDEDIR, DESTDIR for install'
