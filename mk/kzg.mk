# c-kzg-4844 + blst for the EIP-4844 point evaluation precompile (0x0a).
#
# The C sources come from the npm package c-kzg (version pinned in
# scripts/fetch-ckzg), unpacked into third_party/ on first build. They are
# compiled with their own flags (no -Wall/-Werror: not our code), partially
# linked into one object, and every global symbol except the blst_* API and
# the three c-kzg entry points we call is made local, so that c-kzg's
# generic names (fr_add, g1_mul, ...) cannot collide with anything linked
# beside libparevm.

CKZG_VERSION := $(shell sed -n 's/^CKZG_VERSION=//p' scripts/fetch-ckzg)
CKZG_DIR := third_party/c-kzg-$(CKZG_VERSION)
CKZG_STAMP := $(CKZG_DIR)/.complete
CKZG_BUILD := $(B)/third_party/c-kzg-$(CKZG_VERSION)
CKZG_OBJ := $(CKZG_BUILD)/ckzg-blst.o
CKZG_PARTS := $(CKZG_BUILD)/ckzg.o $(CKZG_BUILD)/blst-server.o $(CKZG_BUILD)/blst-assembly.o
CKZG_CFLAGS := -O2 -g -fPIC -D__BLST_PORTABLE__ -I$(CKZG_DIR)/deps/blst/bindings -I$(CKZG_DIR)/deps/c-kzg
CKZG_KEEP := -w --keep-global-symbol='blst_*' --keep-global-symbol=verify_kzg_proof \
	--keep-global-symbol=load_trusted_setup_file --keep-global-symbol=free_trusted_setup

EXTRA_LIB_OBJS += $(CKZG_OBJ)
# -isystem: their headers are not held to our warning flags.
CPPFLAGS += -isystem $(CKZG_DIR)/deps/c-kzg -isystem $(CKZG_DIR)/deps/blst/bindings

$(CKZG_STAMP):
	@bash scripts/fetch-ckzg

$(CKZG_DIR)/deps/c-kzg/ckzg.c $(CKZG_DIR)/deps/blst/src/server.c $(CKZG_DIR)/deps/blst/build/assembly.S: $(CKZG_STAMP)

$(CKZG_BUILD)/ckzg.o: $(CKZG_DIR)/deps/c-kzg/ckzg.c
	@mkdir -p $(dir $@)
	$(CC) $(CKZG_CFLAGS) -c $< -o $@
$(CKZG_BUILD)/blst-server.o: $(CKZG_DIR)/deps/blst/src/server.c
	@mkdir -p $(dir $@)
	$(CC) $(CKZG_CFLAGS) -c $< -o $@
$(CKZG_BUILD)/blst-assembly.o: $(CKZG_DIR)/deps/blst/build/assembly.S
	@mkdir -p $(dir $@)
	$(CC) $(CKZG_CFLAGS) -c $< -o $@

$(CKZG_OBJ): $(CKZG_PARTS)
	$(LD) -r -o $@.tmp $^
	objcopy $(CKZG_KEEP) $@.tmp $@
	@rm -f $@.tmp

# Our wrapper needs the headers, and knows where the trusted setup lives
# (PAREVM_TRUSTED_SETUP overrides it at run time).
$(B)/obj/src/evm/kzg.o: CPPFLAGS += -DPAREVM_CKZG_SETUP='"$(abspath $(CKZG_DIR))/deps/c-kzg/trusted_setup.txt"' \
	-DPAREVM_CKZG_SETUP_RELATIVE='"$(CKZG_DIR)/deps/c-kzg/trusted_setup.txt"'
$(B)/obj/src/evm/kzg.o: | $(CKZG_STAMP)
# The EIP-2537 precompiles and their test include blst.h too: on a fresh
# clone the sources must be fetched before they compile.
$(B)/obj/src/evm/bls12381.o: | $(CKZG_STAMP)
$(B)/tests/test_bls12381: | $(CKZG_STAMP)
