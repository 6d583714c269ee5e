/* Forks, in activation order. Rules are looked up by comparing against
 * these (f >= FORK_BERLIN), never by block number. */
#ifndef PAREVM_EVM_FORK_H
#define PAREVM_EVM_FORK_H

#include <stdbool.h>

enum fork {
    FORK_FRONTIER = 0,
    FORK_HOMESTEAD,
    FORK_TANGERINE,      /* EIP-150 ("EIP150" in state tests) */
    FORK_SPURIOUS,       /* EIP-158/161 ("EIP158") */
    FORK_BYZANTIUM,
    FORK_CONSTANTINOPLE, /* includes EIP-1283 net gas metering */
    FORK_PETERSBURG,     /* "ConstantinopleFix": Constantinople minus EIP-1283 */
    FORK_ISTANBUL,
    FORK_BERLIN,
    FORK_LONDON,
    FORK_PARIS,          /* the Merge */
    FORK_SHANGHAI,
    FORK_CANCUN,
    FORK_PRAGUE,
    FORK_OSAKA,
    FORK__COUNT
};

/* Canonical name ("Cancun", "ConstantinopleFix", ...). */
const char *fork_name(enum fork f);

/* Parse a fork name as used by ethereum/tests and t8n (case-insensitive;
 * accepts aliases such as "EIP150", "Tangerine", "EIP158", "SpuriousDragon",
 * "ConstantinopleFix", "Petersburg", "Merge", "Paris"). False if unknown. */
bool fork_from_name(const char *name, enum fork *out);

#endif
