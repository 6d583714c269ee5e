/*
 * senders — the chains of a block's transactions that share a sender,
 * known before any of them runs. A transaction's nonce is the one its
 * sender's previous transaction left, so each link depends on the one
 * before it, for certain: the partitioned pass (partition.c) cuts no
 * chain, and Block-STM (scheduler.c) starts no link before the one it
 * follows has executed.
 */
#ifndef PAREVM_EXEC_SENDERS_H
#define PAREVM_EXEC_SENDERS_H

#include <stddef.h>
#include <stdint.h>

#include "../chain/tx.h"

/* prev[i] = 1 + the index of the last transaction before i with the same
 * sender (txs[i].sender), 0 where there is none; prev has room for n.
 * PAREVM_ERR_NOMEM (prev untouched) or PAREVM_ERR_ARG (n > UINT32_MAX - 1). */
int sender_links(const struct tx *txs, size_t n, uint32_t *prev);

#endif
