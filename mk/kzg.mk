# blst (BLS12-381) for the EIP-4844 point evaluation precompile (0x0a,
# src/evm/kzg.c) and the EIP-2537 precompiles (src/evm/bls12381.c). The
# package's trusted setup file is read only by tests/test_precompiles.c,
# which checks kzg.c's built-in [tau]_2 against it.
#
# The C sources come from the npm package c-kzg (version pinned in
# scripts/fetch-ckzg), unpacked into third_party/ on first build. Only
# blst is compiled (with its own flags: no -Wall/-Werror, not our code):
# src/evm/kzg.c verifies the KZG opening on blst itself, so c-kzg's own
# library (and its seconds-long trusted setup load) is not linked. blst is
# partially linked into one object and every global symbol except the
# blst_* API is made local.

CKZG_VERSION := $(shell sed -n 's/^CKZG_VERSION=//p' scripts/fetch-ckzg)
CKZG_DIR := third_party/c-kzg-$(CKZG_VERSION)
CKZG_STAMP := $(CKZG_DIR)/.complete
CKZG_BUILD := $(B)/third_party/c-kzg-$(CKZG_VERSION)
CKZG_OBJ := $(CKZG_BUILD)/ckzg-blst.o
CKZG_PARTS := $(CKZG_BUILD)/blst-server.o $(CKZG_BUILD)/blst-assembly.o
CKZG_CFLAGS := -O2 -g -fPIC -D__BLST_PORTABLE__ -I$(CKZG_DIR)/deps/blst/bindings
CKZG_KEEP := -w --keep-global-symbol='blst_*'

EXTRA_LIB_OBJS += $(CKZG_OBJ)
# -isystem: their headers are not held to our warning flags.
CPPFLAGS += -isystem $(CKZG_DIR)/deps/blst/bindings

$(CKZG_STAMP):
	@bash scripts/fetch-ckzg

$(CKZG_DIR)/deps/blst/src/server.c $(CKZG_DIR)/deps/blst/build/assembly.S: $(CKZG_STAMP)

$(CKZG_BUILD)/blst-server.o: $(CKZG_DIR)/deps/blst/src/server.c
	@mkdir -p $(dir $@)
	$(Q)$(call quiet,CC,$<)$(CC) $(CKZG_CFLAGS) -c $< -o $@
$(CKZG_BUILD)/blst-assembly.o: $(CKZG_DIR)/deps/blst/build/assembly.S
	@mkdir -p $(dir $@)
	$(Q)$(call quiet,AS,$<)$(CC) $(CKZG_CFLAGS) -c $< -o $@

$(CKZG_OBJ): $(CKZG_PARTS)
	$(Q)$(call quiet,LD,$@)$(LD) -r -o $@.tmp $^
	$(Q)objcopy $(CKZG_KEEP) $@.tmp $@
	@rm -f $@.tmp

$(B)/obj/src/evm/kzg.o: | $(CKZG_STAMP)
# The EIP-2537 precompiles and their test include blst.h too: on a fresh
# clone the sources must be fetched before they compile.
$(B)/obj/src/evm/bls12381.o: | $(CKZG_STAMP)
$(B)/tests/test_bls12381: | $(CKZG_STAMP)
