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
    FORK_PRAGUE,    /* EIP-7600 */
    FORK_OSAKA,     /* EIP-7607 */
    FORK_BPO1,      /* EIP-7892 blob-parameter-only fork: Osaka rules, new blob schedule */
    FORK_BPO2,      /* EIP-7892, second blob-parameter-only fork */
    FORK_AMSTERDAM, /* EIP-7773; not implemented yet (refused, see fork_implemented) */
    FORK__COUNT
};

/* Whether parevm implements fork f's rules. A block, state test or t8n
 * run in a fork that is not implemented is refused (PAREVM_ERR_UNSUPPORTED),
 * never run under an older fork's rules. */
bool fork_implemented(enum fork f);

/* EIP-4844 / EIP-7691 / EIP-7892 blob schedule of a fork (Cancun on; for
 * an earlier fork, Cancun's): target and maximum blobs per block and the
 * blob base fee update fraction. */
struct fork_blob_params {
    unsigned target;
    unsigned max;
    unsigned long update_fraction;
};
const struct fork_blob_params *fork_blob_params(enum fork f);

/* The journal's fork-dependent rules (struct journal_rules in
 * state/journal.h, which a caller of this includes): EIP-161 from Spurious
 * Dragon, EIP-6780 from Cancun. Declared here with the struct incomplete
 * so that fork.h needs nothing from the state layer. */
struct journal_rules;
struct journal_rules fork_journal_rules(enum fork f);

/* Canonical name ("Cancun", "ConstantinopleFix", ...). */
const char *fork_name(enum fork f);

/* Parse a fork name as used by ethereum/tests and t8n (case-insensitive;
 * accepts aliases such as "EIP150", "Tangerine", "EIP158", "SpuriousDragon",
 * "ConstantinopleFix", "Petersburg", "Merge", "Paris"). False if unknown. */
bool fork_from_name(const char *name, enum fork *out);

#endif
