/*
 * Test helpers: EIP-7702 authorizations signed with a private key the way
 * a wallet signs them, and a key's address. Include after <cmocka.h>
 * (failures are cmocka assertions).
 */
#ifndef PAREVM_TESTS_TEST_KEYS_H
#define PAREVM_TESTS_TEST_KEYS_H

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <string.h>

#include "../src/base/buf.h"
#include "../src/base/keccak.h"
#include "../src/base/rlp.h"
#include "../src/chain/tx.h"

/* Sign authorization a (chain_id, addr, nonce set) with key (32 bytes):
 * keccak(0x05 || rlp([chain_id, address, nonce])), recoverable ECDSA. */
static inline void sign_authorization(struct authorization *a, const uint8_t key[32])
{
    struct bytebuf b = {0};
    assert_int_equal(bytebuf_push(&b, 0x05), PAREVM_OK);
    size_t at = rlp_list_begin(&b);
    assert_int_equal(rlp_encode_u256(&b, &a->chain_id), PAREVM_OK);
    assert_int_equal(rlp_encode_bytes(&b, a->addr.bytes, 20), PAREVM_OK);
    assert_int_equal(rlp_encode_u64(&b, a->nonce), PAREVM_OK);
    assert_int_equal(rlp_list_end(&b, at), PAREVM_OK);
    hash32 h = keccak256_hash(b.data, b.len);
    bytebuf_free(&b);
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    assert_non_null(ctx);
    secp256k1_ecdsa_recoverable_signature sig;
    assert_true(secp256k1_ecdsa_sign_recoverable(ctx, &sig, h.bytes, key, NULL, NULL));
    uint8_t rs[64];
    int recid;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, rs, &recid, &sig);
    secp256k1_context_destroy(ctx);
    a->r = u256_from_be(rs, 32);
    a->s = u256_from_be(rs + 32, 32);
    a->y_parity = (uint8_t)recid;
}

/* The address of a private key: keccak(X || Y)[12..32]. */
static inline address key_address(const uint8_t key[32])
{
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    assert_non_null(ctx);
    secp256k1_pubkey pub;
    assert_true(secp256k1_ec_pubkey_create(ctx, &pub, key));
    uint8_t out[65];
    size_t len = sizeof out;
    assert_true(secp256k1_ec_pubkey_serialize(ctx, out, &len, &pub, SECP256K1_EC_UNCOMPRESSED));
    secp256k1_context_destroy(ctx);
    hash32 h = keccak256_hash(out + 1, 64);
    address a;
    memcpy(a.bytes, h.bytes + 12, 20);
    return a;
}

#endif
