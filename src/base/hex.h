/* Hex <-> bytes. Accepts an optional "0x"/"0X" prefix, either case. */
#ifndef PAREVM_BASE_HEX_H
#define PAREVM_BASE_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "error.h" /* the PAREVM_* codes returned here */

/* Decode into out[0..cap). Odd digit counts are rejected (quantities such
 * as "0x1" are numbers: parse them with u256_from_string). Returns PAREVM_OK,
 * PAREVM_ERR_HEX (bad digit/odd length) or PAREVM_ERR_RANGE (too long). */
int hex_decode(const char *s, uint8_t *out, size_t cap, size_t *out_len);

/* Decode into a malloc'ed buffer (*out may be NULL when *out_len == 0). */
int hex_decode_alloc(const char *s, uint8_t **out, size_t *out_len);

/* Decode exactly n bytes (e.g. 20 for an address, 32 for a hash). */
int hex_decode_exact(const char *s, uint8_t *out, size_t n);

/* Lower-case hex with "0x" prefix; out must hold 2 + 2*len + 1 bytes. */
void hex_encode(const uint8_t *data, size_t len, char *out);

/* Same, malloc'ed. NULL on allocation failure. */
char *hex_encode_alloc(const uint8_t *data, size_t len);

#endif
