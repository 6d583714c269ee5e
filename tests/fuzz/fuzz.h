/* Shared helpers of the libFuzzer targets (tests/fuzz/fuzz_*.c). Each
 * target defines LLVMFuzzerTestOneInput; any sanitizer report, abort or
 * FUZZ_CHECK failure is a crash. Targets are deterministic and bounded
 * (sizes and gas are capped) so a slow input is a real bug. */
#ifndef PAREVM_FUZZ_H
#define PAREVM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                                     \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond);                    \
            abort();                                                                                         \
        }                                                                                                    \
    } while (0)

#endif
