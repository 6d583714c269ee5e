/* bytebuf — a growable byte buffer (heap-backed). Used for RLP encoding,
 * return data and any output whose size is not known in advance. */
#ifndef PAREVM_BASE_BUF_H
#define PAREVM_BASE_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "error.h" /* the PAREVM_* codes returned here */

struct bytebuf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

/* Each returns PAREVM_OK or PAREVM_ERR_NOMEM (the buffer is unchanged then). */
int bytebuf_reserve(struct bytebuf *b, size_t extra);
int bytebuf_append(struct bytebuf *b, const void *data, size_t len);
int bytebuf_push(struct bytebuf *b, uint8_t byte);
void bytebuf_reset(struct bytebuf *b); /* len = 0, keeps memory */
void bytebuf_free(struct bytebuf *b);  /* releases memory, zeroes the struct */

#endif
