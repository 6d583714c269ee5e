/* Per-fork opcode table: which opcodes exist, their static gas, and their
 * stack requirements. Built once per fork as data (no scattered checks). */
#ifndef PAREVM_EVM_OPTABLE_H
#define PAREVM_EVM_OPTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "fork.h"

struct optable {
    int16_t gas[256];      /* static gas charged before the handler runs */
    uint8_t stack_req[256]; /* items that must be on the stack */
    int8_t stack_grow[256]; /* net change of the stack height */
    bool defined[256];
};

/* The table for fork (built on first use, thread-safe, never freed). */
const struct optable *optable_get(enum fork fork);

#endif
