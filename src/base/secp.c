#include "secp.h"

#include <pthread.h>

static secp256k1_context *secp_ctx;
static pthread_once_t secp_once = PTHREAD_ONCE_INIT;

static void secp_create(void) { secp_ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE); }

const secp256k1_context *secp_context(void)
{
    /* pthread_once orders the creation before every use on every thread */
    pthread_once(&secp_once, secp_create);
    return secp_ctx;
}
