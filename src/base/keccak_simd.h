/*
 * keccak_simd.h — between keccak.c and keccak_many.c (internal to
 * src/base): the one-state permutation on vector registers.
 */
#ifndef PAREVM_BASE_KECCAK_SIMD_H
#define PAREVM_BASE_KECCAK_SIMD_H

#include <stdbool.h>
#include <stdint.h>

/* keccak-f[1600] on st with AVX-512VL, where this processor has it and
 * keccak_use_isa has not said otherwise: true. False: st untouched,
 * the caller permutes it itself. */
bool keccak_f1600_vector(uint64_t st[25]);

#endif
