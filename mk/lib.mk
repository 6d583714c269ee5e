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
