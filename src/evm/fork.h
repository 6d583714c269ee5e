/* Forks, in activation order. Rules are looked up by comparing against
 * these (f >= FORK_BERLIN), never by block number. */
#ifndef PAREVM_EVM_FORK_H
#define PAREVM_EVM_FORK_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

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
    FORK_AMSTERDAM, /* EIP-7773: BPO2 plus the EIPs in fork_amsterdam_eips */
    FORK__COUNT
};

/* Amsterdam's execution EIPs, one bit each, as @ethereumjs/common 10.1.3
 * schedules them (glamsterdam-devnet v8.1). Every rule Amsterdam changes
 * is behind one of these bits (fork_eip), never behind f >= FORK_AMSTERDAM
 * alone, so that Amsterdam with a subset of them is BPO2 plus that subset:
 * the way each EIP is tested on its own against the reference
 * (tests/diff, fork "BPO2+8024"). */
enum amsterdam_eip {
    EIP_2780 = 1u << 0,  /* reduced intrinsic transaction gas */
    EIP_7708 = 1u << 1,  /* ETH transfers emit a log */
    EIP_7778 = 1u << 2,  /* block gas accounting without refunds */
    EIP_7843 = 1u << 3,  /* SLOTNUM */
    EIP_7928 = 1u << 4,  /* block-level access lists */
    EIP_7954 = 1u << 5,  /* larger contract code and initcode */
    EIP_7976 = 1u << 6,  /* higher calldata floor */
    EIP_7981 = 1u << 7,  /* access list data pricing */
    EIP_7997 = 1u << 8,  /* deterministic CREATE2 factory predeploy */
    EIP_8024 = 1u << 9,  /* DUPN, SWAPN, EXCHANGE */
    EIP_8037 = 1u << 10, /* state creation gas */
    EIP_8038 = 1u << 11, /* state access gas */
    EIP_8246 = 1u << 12, /* SELFDESTRUCT no burn */
    EIP_8282 = 1u << 13, /* builder execution requests */
    AMSTERDAM_EIPS = (1u << 14) - 1,
};

/* The ones parevm implements (fork_implemented refuses a selection with
 * any other): all of them. */
#define AMSTERDAM_IMPLEMENTED AMSTERDAM_EIPS

/* A selection bit that stands for no EIP: parevm implements every one
 * of Amsterdam's, so a test sets it in fork_amsterdam_eips to see a
 * fork parevm does not implement refused (fork_implemented). */
#define AMSTERDAM_UNKNOWN_EIP (1u << 14)

/* The Amsterdam EIPs in force, process-wide: AMSTERDAM_EIPS unless a tool
 * chose a subset (fork_select) before its first run. */
extern unsigned fork_amsterdam_eips;

/* Whether fork f has Amsterdam EIP `eip` (an enum amsterdam_eip bit). */
static inline bool fork_eip(enum fork f, unsigned eip)
{
    return f >= FORK_AMSTERDAM && (fork_amsterdam_eips & eip) != 0;
}

/* EIP-8037 (Amsterdam): state creation is paid in state gas, a second
 * dimension of gas priced per byte of state it adds. A transaction's gas
 * above what EIP-7825 lets execution spend regularly (2^24 less the
 * intrinsic gas) is its state-gas reservoir; a state charge takes the
 * reservoir first and the frame's gas for the rest (evm.h). */
#define STATE_GAS_PER_BYTE 1530
#define STATE_GAS_NEW_ACCOUNT (120 * STATE_GAS_PER_BYTE) /* an account's leaf */
#define STATE_GAS_NEW_SLOT (64 * STATE_GAS_PER_BYTE)     /* a slot set from zero */
#define STATE_GAS_AUTH_BASE (23 * STATE_GAS_PER_BYTE)    /* an EIP-7702 delegation */

/* EIP-2929: a cold account's access costs 2600 (EIP-8038, Amsterdam:
 * 3000), a warm one 100. */
static inline int64_t fork_cold_account_cost(enum fork f)
{
    return fork_eip(f, EIP_8038) ? 3000 : 2600;
}

/* ACCOUNT_WRITE: the regular gas of writing an account's leaf (EIP-8037
 * 8000, EIP-8038's 9000 over it), where the state-gas tables use it. */
static inline int64_t fork_account_write_gas(enum fork f)
{
    return fork_eip(f, EIP_8038) ? 9000 : 8000;
}

/* Parse a fork name, or "BPO2+N+M..." (BPO2 plus Amsterdam EIPs N, M:
 * geth's and @ethereumjs's way to switch EIPs on one at a time), which
 * selects fork FORK_AMSTERDAM with those EIPs (fork_amsterdam_eips).
 * Call it once, before anything runs: the selection is process-wide. A
 * plain name selects every Amsterdam EIP. False, with a message in err,
 * for an unknown fork, an EIP that is not Amsterdam's, EIPs over a fork
 * other than BPO2, or an EIP without one it requires (EIP-2780 needs
 * 7708; EIP-8037 needs 2780, 7976 and 7981). */
bool fork_select(const char *spec, enum fork *out, char *err, size_t err_len);

/* The Amsterdam EIPs of `mask` that parevm does not implement, as
 * "8037, 8038" (empty when none). */
void fork_eips_missing(unsigned mask, char *out, size_t len);

/* Whether parevm implements fork f's rules (Amsterdam: every EIP of
 * fork_amsterdam_eips). A block, state test or t8n run in a fork that is
 * not implemented is refused (PAREVM_ERR_UNSUPPORTED), never run under an
 * older fork's rules. */
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
