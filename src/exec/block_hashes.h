/* block_hashes — the BLOCKHASH source of a block: hashes by number
 * (the loaders fill it, the commit reads it: sequential.c). A missing
 * needed hash is an error (PAREVM_ERR_MISSING), never a silent zero. */
#ifndef PAREVM_EXEC_BLOCK_HASHES_H
#define PAREVM_EXEC_BLOCK_HASHES_H

#include <stddef.h>
#include <stdint.h>

#include "../base/types.h"

struct block_hashes {
    uint64_t *numbers; /* sorted ascending */
    hash32 *hashes;
    size_t count;
};
int block_hashes_lookup(void *arg /* struct block_hashes * */, uint64_t number, hash32 *out);

#endif
