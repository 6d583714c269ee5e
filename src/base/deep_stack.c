/* deep_stack: see deep_stack.h. */
#define _GNU_SOURCE /* pthread_getattr_np */
#include "deep_stack.h"

#include <pthread.h>
#include <stdint.h>

#include "types.h"

size_t deep_stack_need(int depth)
{
    if (depth < 0)
        depth = 0;
    if (depth > 1024)
        depth = 1024;
    return (size_t)(1025 - depth) * DEEP_STACK_PER_DEPTH + DEEP_STACK_BASE;
}

size_t deep_stack_size(void)
{
    size_t size = deep_stack_need(0) + DEEP_STACK_SLACK;
    return (size + 0xFFFF) & ~(size_t)0xFFFF;
}

/* This thread's lowest usable stack address, looked up once per thread:
 * for the main thread glibc reads /proc/self/maps, too slow per call.
 * 1 = looked up and unknown. */
static _Thread_local uintptr_t stack_low;

size_t deep_stack_left(void)
{
    if (stack_low == 0) {
        pthread_attr_t attr;
        void *addr;
        size_t size;
        stack_low = 1;
        if (pthread_getattr_np(pthread_self(), &attr) == 0) {
            if (pthread_attr_getstack(&attr, &addr, &size) == 0 && addr)
                stack_low = (uintptr_t)addr;
            pthread_attr_destroy(&attr);
        }
    }
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    if (stack_low == 1 || here <= stack_low)
        return 0;
    return here - stack_low;
}

struct deep_job {
    void (*fn)(void *arg);
    void *arg;
};

static void *deep_thread(void *p)
{
    struct deep_job *job = p;
    job->fn(job->arg);
    return NULL;
}

int deep_stack_run(size_t need, void (*fn)(void *arg), void *arg)
{
    if (deep_stack_left() >= need) {
        fn(arg);
        return PAREVM_OK;
    }
    /* Too little room (or unknown): a thread of our own, sized to need. */
    struct deep_job job = {fn, arg};
    pthread_attr_t attr;
    pthread_t tid;
    if (pthread_attr_init(&attr) != 0)
        return PAREVM_ERR_NOMEM;
    size_t size = (need + DEEP_STACK_SLACK + 0xFFFF) & ~(size_t)0xFFFF;
    int rc = pthread_attr_setstacksize(&attr, size);
    if (rc == 0)
        rc = pthread_create(&tid, &attr, deep_thread, &job);
    pthread_attr_destroy(&attr);
    if (rc != 0)
        return PAREVM_ERR_NOMEM;
    pthread_join(tid, NULL);
    return PAREVM_OK;
}
