/* A log record emitted by LOG0..LOG4. */
#ifndef PAREVM_STATE_LOG_H
#define PAREVM_STATE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "../base/types.h"

/* A transaction's logs are one allocation: the array, then every log's
 * data (journal_finalize). Whoever owns the array frees it with one
 * free(), data included. */
struct log {
    address addr;
    uint8_t topic_count; /* 0..4 */
    hash32 topics[4];
    uint8_t *data; /* inside the array's allocation (NULL when data_len is 0) */
    size_t data_len;
};

#endif
