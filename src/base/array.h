/* array — room in a growable array (items, count, capacity). */
#ifndef PAREVM_BASE_ARRAY_H
#define PAREVM_BASE_ARRAY_H

#include <stddef.h>
#include <stdlib.h>

/* A growable array (items, *cap) holding count elements of elem bytes,
 * with room for one more: items itself, or a doubled copy (from first
 * elements). NULL on allocation failure (items and *cap unchanged). */
static inline void *array_room(void *items, size_t *cap, size_t count, size_t elem, size_t first)
{
    if (items && count < *cap)
        return items;
    size_t n = *cap ? *cap * 2 : first;
    void *p = realloc(items, n * elem);
    if (p)
        *cap = n;
    return p;
}

#endif
