/* bytebuf — growable byte buffer. Capacity doubles so appends are
 * amortised O(1); a failed grow leaves the buffer exactly as it was. */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

#include "types.h"

/* Make room for `extra` more bytes past len. */
int bytebuf_reserve(struct bytebuf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len)
        return PAREVM_ERR_NOMEM;
    size_t need = b->len + extra;
    if (need <= b->cap)
        return PAREVM_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    uint8_t *p = realloc(b->data, cap);
    if (!p)
        return PAREVM_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return PAREVM_OK;
}

int bytebuf_append(struct bytebuf *b, const void *data, size_t len)
{
    if (len == 0)
        return PAREVM_OK;
    int err = bytebuf_reserve(b, len);
    if (err)
        return err;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return PAREVM_OK;
}

int bytebuf_push(struct bytebuf *b, uint8_t byte)
{
    if (b->len == b->cap) {
        int err = bytebuf_reserve(b, 1);
        if (err)
            return err;
    }
    b->data[b->len++] = byte;
    return PAREVM_OK;
}

void bytebuf_reset(struct bytebuf *b) { b->len = 0; }

void bytebuf_free(struct bytebuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}
