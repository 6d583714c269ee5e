/* A log record emitted by LOG0..LOG4. */
#ifndef PAREVM_STATE_LOG_H
#define PAREVM_STATE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "../base/types.h"

struct log {
    address addr;
    uint8_t topic_count; /* 0..4 */
    hash32 topics[4];
    uint8_t *data;       /* owned by whoever owns the log array */
    size_t data_len;
};

#endif
