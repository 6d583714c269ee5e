#ifndef PAREVM_DEEP_STACK_H
#define PAREVM_DEEP_STACK_H
/*
 * deep_stack: room on the C stack for the EVM's recursion.
 *
 * The interpreter recurses once per call depth (up to 1024) on the stack
 * of the thread that runs it. Worker threads are created with
 * deep_stack_size(); entry points that run the EVM on their caller's
 * thread go through deep_stack_run(), which moves the work to a thread
 * of parevm's own when the caller has too little stack left, so a host
 * thread with a small stack cannot overflow it.
 */
#include <stddef.h>

/* Stack the EVM uses per call depth, with room to spare. Measured by
 * tests/test_stack.c (test_stack_per_depth, a painted thread stack; a
 * transaction recursing through CALL to depth 1024): release 1659 bytes,
 * asan 8240, tsan 2715 per depth. Sanitizer builds use larger frames, -O0 too. */
#if defined(__SANITIZE_ADDRESS__)
#define DEEP_STACK_PER_DEPTH ((size_t)24 << 10)
#elif defined(__SANITIZE_THREAD__)
#define DEEP_STACK_PER_DEPTH ((size_t)8 << 10)
#elif defined(__OPTIMIZE__)
#define DEEP_STACK_PER_DEPTH ((size_t)4 << 10)
#else
#define DEEP_STACK_PER_DEPTH ((size_t)8 << 10)
#endif
/* Room beyond the recursion: precompiles, JSON, the caller's frames. */
#define DEEP_STACK_BASE ((size_t)2 << 20)

/* Room our threads add for the frames above the EVM's entry point (the
 * scheduler, the block loop), so that the entry's check passes there. */
#define DEEP_STACK_SLACK ((size_t)1 << 20)

/* Stack needed to run frames from depth `depth` (0 = a transaction's
 * outermost frame) down to the deepest, 1024. */
size_t deep_stack_need(int depth);

/* The stack size worker threads are created with: deep_stack_need(0)
 * plus DEEP_STACK_SLACK, rounded up to 64 KiB. */
size_t deep_stack_size(void);

/* Bytes of stack left below the calling frame on this thread; 0 when
 * unknown (no pthread_getattr_np data). */
size_t deep_stack_left(void);

/*
 * Run fn(arg) with at least `need` bytes of stack: on this thread when
 * it has that much left, else on a new thread of parevm's own (joined
 * before returning). Returns PAREVM_OK, or PAREVM_ERR_NOMEM when the
 * thread could not be created (fn has then not run).
 */
int deep_stack_run(size_t need, void (*fn)(void *arg), void *arg);

#endif
