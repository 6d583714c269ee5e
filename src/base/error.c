/* Messages for enum parevm_err (error.h). */
#include "error.h"

static const char *const parevm_err_messages[PAREVM_ERR__COUNT] = {
#define PAREVM_ERR_MESSAGE(name, value, message) [name] = message,
    PAREVM_ERR_LIST(PAREVM_ERR_MESSAGE)
#undef PAREVM_ERR_MESSAGE
};

const char *parevm_strerror(int err)
{
    if (err < 0 || err >= PAREVM_ERR__COUNT || !parevm_err_messages[err])
        return "unknown error";
    return parevm_err_messages[err];
}
