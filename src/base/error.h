/*
 * error — the project's error codes (STYLE.md rule 3) and their messages.
 *
 * include/parevm.h, which a user includes alone, spells out the same
 * enum parevm_err for them; the library's layers take it from here, so
 * that base depends on nothing above it. Both define the enum under the
 * guard PAREVM_ERR_ENUM, so a file that includes both sees it once, and
 * src/api/api.c checks at compile time that parevm.h's values are these.
 */
#ifndef PAREVM_BASE_ERROR_H
#define PAREVM_BASE_ERROR_H

/* X(name, value, message): every code, in order, values 0, 1, 2, ... */
#define PAREVM_ERR_LIST(X)                                                                                   \
    X(PAREVM_OK, 0, "success")                                                                               \
    X(PAREVM_ERR_NOMEM, 1, "out of memory")                                                                  \
    X(PAREVM_ERR_ARG, 2, "invalid argument")                                                                 \
    X(PAREVM_ERR_IO, 3, "I/O error")                                                                         \
    X(PAREVM_ERR_JSON, 4, "malformed JSON or missing/ill-typed field")                                       \
    X(PAREVM_ERR_HEX, 5, "malformed hex string")                                                             \
    X(PAREVM_ERR_RLP, 6, "malformed or non-canonical RLP")                                                   \
    X(PAREVM_ERR_RANGE, 7, "value out of range")                                                             \
    X(PAREVM_ERR_SIGNATURE, 8, "invalid signature or unrecoverable sender")                                  \
    X(PAREVM_ERR_TX_INVALID, 9, "invalid transaction")                                                       \
    X(PAREVM_ERR_BLOCK_INVALID, 10, "invalid block")                                                         \
    X(PAREVM_ERR_MISSING, 11, "required data missing")                                                       \
    X(PAREVM_ERR_UNSUPPORTED, 12, "unsupported fork or feature")                                             \
    X(PAREVM_ERR_INTERNAL, 13, "internal error (bug in parevm)")                                             \
    X(PAREVM_ERR_BLOCKED, 14, "read blocked on an unfinished parallel write")                                \
    X(PAREVM_ERR_CONTENDED, 15, "parallel execution abandoned: transactions conflict too often")

#ifndef PAREVM_ERR_ENUM
#define PAREVM_ERR_ENUM
#define PAREVM_ERR_ENUMERATOR(name, value, message) name = value,
enum parevm_err { PAREVM_ERR_LIST(PAREVM_ERR_ENUMERATOR) PAREVM_ERR__COUNT };
#undef PAREVM_ERR_ENUMERATOR
#endif

/* Static, human-readable description of an error code ("unknown error"
 * for one out of range). Never NULL. Thread-safe. Exported: it is also
 * the public API's (include/parevm.h). */
#if defined(__GNUC__)
__attribute__((visibility("default")))
#endif
const char *
parevm_strerror(int err);

#endif
