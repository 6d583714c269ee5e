/* Messages for enum parevm_err (include/parevm.h). */
#include "../../include/parevm.h"

static const char *const parevm_err_messages[PAREVM_ERR__COUNT] = {
    [PAREVM_OK] = "success",
    [PAREVM_ERR_NOMEM] = "out of memory",
    [PAREVM_ERR_ARG] = "invalid argument",
    [PAREVM_ERR_IO] = "I/O error",
    [PAREVM_ERR_JSON] = "malformed JSON or missing/ill-typed field",
    [PAREVM_ERR_HEX] = "malformed hex string",
    [PAREVM_ERR_RLP] = "malformed or non-canonical RLP",
    [PAREVM_ERR_RANGE] = "value out of range",
    [PAREVM_ERR_SIGNATURE] = "invalid signature or unrecoverable sender",
    [PAREVM_ERR_TX_INVALID] = "invalid transaction",
    [PAREVM_ERR_BLOCK_INVALID] = "invalid block",
    [PAREVM_ERR_MISSING] = "required data missing",
    [PAREVM_ERR_UNSUPPORTED] = "unsupported fork or feature",
    [PAREVM_ERR_INTERNAL] = "internal error (bug in parevm)",
    [PAREVM_ERR_BLOCKED] = "read blocked on an unfinished parallel write",
    [PAREVM_ERR_CONTENDED] = "parallel execution abandoned: transactions conflict too often",
};

const char *parevm_strerror(int err)
{
    if (err < 0 || err >= PAREVM_ERR__COUNT || !parevm_err_messages[err])
        return "unknown error";
    return parevm_err_messages[err];
}
