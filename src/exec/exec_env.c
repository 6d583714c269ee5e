/* exec_env.c — execution environments (see exec_env.h). */
#include "exec_env.h"

#include <stdlib.h>
#include <string.h>

#include "../chain/transition.h"

static struct exec_env default_env = {
    .pool = POOL_INIT,
    .arenas = ARENA_POOL_INIT,
    .slabs = MV_SLAB_CACHE_INIT,
    .scratch = SCRATCH_CACHE_INIT,
    .guard = EXEC_GUARD_INIT,
    .owns_contexts = false,
    .context_lock = PTHREAD_MUTEX_INITIALIZER,
};

struct exec_env *exec_env_default(void) { return &default_env; }

int exec_env_create(struct exec_env **out)
{
    *out = NULL;
    struct exec_env *env = calloc(1, sizeof *env);
    if (!env)
        return PAREVM_ERR_NOMEM;
    /* Each part in turn; a failure undoes the parts before it. */
    int made = 0, err = PAREVM_OK;
    if (!(err = pool_init(&env->pool)))
        made++;
    if (!err && !(err = arena_pool_init(&env->arenas)))
        made++;
    if (!err && !(err = mv_slab_cache_init(&env->slabs)))
        made++;
    if (!err && !(err = scratch_cache_init(&env->scratch)))
        made++;
    if (!err && !(err = pthread_mutex_init(&env->guard.lock, NULL) ? PAREVM_ERR_NOMEM : PAREVM_OK))
        made++;
    if (!err && !(err = pthread_mutex_init(&env->context_lock, NULL) ? PAREVM_ERR_NOMEM : PAREVM_OK))
        made++;
    if (err) {
        if (made > 4)
            pthread_mutex_destroy(&env->guard.lock);
        if (made > 3)
            scratch_cache_destroy(&env->scratch);
        if (made > 2)
            mv_slab_cache_destroy(&env->slabs);
        if (made > 1)
            arena_pool_destroy(&env->arenas);
        if (made > 0)
            pool_destroy(&env->pool);
        free(env);
        return err;
    }
    env->owns_contexts = true;
    *out = env;
    return PAREVM_OK;
}

void exec_env_destroy(struct exec_env *env)
{
    if (!env || env == &default_env)
        return;
    /* The workers first: their thread-specific transaction contexts are
     * freed as each one exits (transition.h), before the join returns. */
    pool_destroy(&env->pool);
    arena_pool_destroy(&env->arenas);
    mv_slab_cache_destroy(&env->slabs);
    scratch_cache_destroy(&env->scratch);
    pthread_mutex_destroy(&env->guard.lock);
    for (int i = 0; i < env->context_count; i++)
        transition_context_destroy(env->contexts[i]);
    pthread_mutex_destroy(&env->context_lock);
    free(env);
}

int exec_env_bind_context(struct exec_env *env, struct tx_context **bound, struct tx_context **prev)
{
    *bound = NULL;
    *prev = NULL;
    if (!env->owns_contexts)
        return PAREVM_OK;
    pthread_mutex_lock(&env->context_lock);
    struct tx_context *c = env->context_count ? env->contexts[--env->context_count] : NULL;
    pthread_mutex_unlock(&env->context_lock);
    if (!c && !(c = transition_context_create()))
        return PAREVM_ERR_NOMEM;
    *bound = c;
    *prev = transition_context_bind(c);
    return PAREVM_OK;
}

void exec_env_unbind_context(struct exec_env *env, struct tx_context *bound, struct tx_context *prev)
{
    if (!bound)
        return;
    transition_context_bind(prev);
    pthread_mutex_lock(&env->context_lock);
    if (env->context_count < EXEC_ENV_CONTEXTS) {
        env->contexts[env->context_count++] = bound;
        bound = NULL;
    }
    pthread_mutex_unlock(&env->context_lock);
    transition_context_destroy(bound);
}

void parallel_for(struct exec_env *env, int threads, size_t count, void (*fn)(void *arg, size_t i), void *arg)
{
    pool_for(&exec_env_or_default(env)->pool, threads, count, fn, arg);
}
