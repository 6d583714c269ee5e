/*
 * parevm — a parallel Ethereum Virtual Machine block executor.
 *
 * This is the only header users include. It holds the project-wide error
 * enum; the execution API grows here as the layers below it land.
 */
#ifndef PAREVM_H
#define PAREVM_H

#ifdef __cplusplus
extern "C" {
#endif

#define PAREVM_VERSION "0.1.0"

/* Every fallible library function returns one of these (0 = success).
 * EVM exceptional halts are not errors: they are execution results. */
enum parevm_err {
    PAREVM_OK = 0,
    PAREVM_ERR_NOMEM,         /* allocation failed */
    PAREVM_ERR_ARG,           /* invalid argument passed by the caller */
    PAREVM_ERR_IO,            /* file could not be read or written */
    PAREVM_ERR_JSON,          /* malformed JSON or a missing/ill-typed field */
    PAREVM_ERR_HEX,           /* malformed hex string */
    PAREVM_ERR_RLP,           /* malformed or non-canonical RLP */
    PAREVM_ERR_RANGE,         /* a value does not fit its field */
    PAREVM_ERR_SIGNATURE,     /* signature invalid or sender not recoverable */
    PAREVM_ERR_TX_INVALID,    /* transaction fails validation (see tx error) */
    PAREVM_ERR_BLOCK_INVALID, /* block fails validation */
    PAREVM_ERR_MISSING,       /* required data absent (e.g. a block hash) */
    PAREVM_ERR_UNSUPPORTED,   /* fork/feature not supported */
    PAREVM_ERR_INTERNAL,      /* invariant broken: a bug in parevm */
    PAREVM_ERR_BLOCKED,       /* parallel execution: a read hit an unfinished
                                 write (internal; the executor retries) */
    PAREVM_ERR_CONTENDED,     /* parallel execution gave up: most incarnations
                                 were aborted (internal; the block then runs
                                 sequentially) */
    PAREVM_ERR__COUNT
};

/* Static, human-readable description of an error code. Never NULL. */
const char *parevm_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif
