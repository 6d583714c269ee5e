/* invariant.c — the failure path of PAREVM_ASSERT (invariant.h). */
#include "invariant.h"

#include <stdio.h>
#include <stdlib.h>

/* Defined in every build (release objects simply never call it), so that
 * objects of different variants still link together. */
_Noreturn void parevm_assert_fail(const char *expr, const char *file, int line, const char *func)
{
    fprintf(stderr, "parevm: internal invariant failed: %s (%s:%d, %s)\n", expr, file, line, func);
    fflush(stderr);
    abort();
}
