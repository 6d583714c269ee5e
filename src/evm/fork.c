/* Fork names as ethereum/tests spells them in `post` keys, plus the
 * aliases other tools (geth t8n, execution-spec-tests) use. */
#include "fork.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../state/journal.h"
#include "precompiles.h"

static const char *const fork_names[FORK__COUNT] = {
    [FORK_FRONTIER] = "Frontier",
    [FORK_HOMESTEAD] = "Homestead",
    [FORK_TANGERINE] = "EIP150",
    [FORK_SPURIOUS] = "EIP158",
    [FORK_BYZANTIUM] = "Byzantium",
    [FORK_CONSTANTINOPLE] = "Constantinople",
    [FORK_PETERSBURG] = "ConstantinopleFix",
    [FORK_ISTANBUL] = "Istanbul",
    [FORK_BERLIN] = "Berlin",
    [FORK_LONDON] = "London",
    [FORK_PARIS] = "Paris",
    [FORK_SHANGHAI] = "Shanghai",
    [FORK_CANCUN] = "Cancun",
    [FORK_PRAGUE] = "Prague",
    [FORK_OSAKA] = "Osaka",
    [FORK_BPO1] = "BPO1",
    [FORK_BPO2] = "BPO2",
    [FORK_AMSTERDAM] = "Amsterdam",
};

static const struct {
    const char *name;
    enum fork fork;
} fork_aliases[] = {
    {"TangerineWhistle", FORK_TANGERINE},
    {"Tangerine", FORK_TANGERINE},
    {"SpuriousDragon", FORK_SPURIOUS},
    {"Spurious", FORK_SPURIOUS},
    {"EIP161", FORK_SPURIOUS},
    {"Petersburg", FORK_PETERSBURG},
    {"Merge", FORK_PARIS},
    {"Fusaka", FORK_OSAKA},
    {"Glamsterdam", FORK_AMSTERDAM},
};

struct journal_rules fork_journal_rules(enum fork f)
{
    struct journal_rules r = {
        .clear_empty = f >= FORK_SPURIOUS,             /* EIP-161 */
        .selfdestruct_created_only = f >= FORK_CANCUN, /* EIP-6780 */
        .burn_logs = fork_eip(f, EIP_7708) && !fork_eip(f, EIP_8246),
        .selfdestruct_keeps_balance = fork_eip(f, EIP_8246),
    };
    r.always_warm = precompile_addresses(f, &r.always_warm_count);
    return r;
}

const char *fork_name(enum fork f)
{
    if ((unsigned)f >= FORK__COUNT)
        return "Unknown";
    return fork_names[f];
}

bool fork_from_name(const char *name, enum fork *out)
{
    if (!name)
        return false;
    for (int f = 0; f < FORK__COUNT; f++) {
        if (strcasecmp(name, fork_names[f]) == 0) {
            if (out)
                *out = (enum fork)f;
            return true;
        }
    }
    for (size_t i = 0; i < sizeof fork_aliases / sizeof fork_aliases[0]; i++) {
        if (strcasecmp(name, fork_aliases[i].name) == 0) {
            if (out)
                *out = fork_aliases[i].fork;
            return true;
        }
    }
    return false;
}

unsigned fork_amsterdam_eips = AMSTERDAM_EIPS;

static const unsigned amsterdam_eip_numbers[] = {2780, 7708, 7778, 7843, 7928, 7954, 7976,
                                                 7981, 7997, 8024, 8037, 8038, 8246, 8282};
_Static_assert(sizeof amsterdam_eip_numbers / sizeof amsterdam_eip_numbers[0] == 14, "one number per bit");

bool fork_implemented(enum fork f)
{
    if ((unsigned)f >= FORK__COUNT)
        return false;
    return f != FORK_AMSTERDAM || (fork_amsterdam_eips & ~AMSTERDAM_IMPLEMENTED) == 0;
}

void fork_eips_missing(unsigned mask, char *out, size_t len)
{
    size_t n = 0;
    if (len)
        out[0] = '\0';
    for (unsigned i = 0; i < 14; i++) {
        if (!(mask & (1u << i)) || (AMSTERDAM_IMPLEMENTED & (1u << i)))
            continue;
        int w = snprintf(out + n, len > n ? len - n : 0, "%s%u", n ? ", " : "", amsterdam_eip_numbers[i]);
        if (w > 0)
            n += (size_t)w;
    }
}

bool fork_select(const char *spec, enum fork *out, char *err, size_t err_len)
{
    const char *plus = spec ? strchr(spec, '+') : NULL;
    if (!plus) {
        if (!fork_from_name(spec, out)) {
            snprintf(err, err_len, "unknown fork \"%s\"", spec ? spec : "");
            return false;
        }
        fork_amsterdam_eips = AMSTERDAM_EIPS;
        return true;
    }
    enum fork base;
    char name[32];
    size_t n = (size_t)(plus - spec);
    if (n >= sizeof name || (memcpy(name, spec, n), name[n] = '\0', !fork_from_name(name, &base)) ||
        base != FORK_BPO2) {
        snprintf(err, err_len, "\"%s\": EIPs can be added to BPO2 only (as \"BPO2+8024\")", spec);
        return false;
    }
    unsigned mask = 0;
    for (const char *p = plus; *p == '+';) {
        char *end;
        unsigned long eip = strtoul(p + 1, &end, 10);
        unsigned bit = 0;
        for (unsigned i = 0; i < 14; i++)
            if (amsterdam_eip_numbers[i] == eip)
                bit = 1u << i;
        if (end == p + 1 || (*end && *end != '+') || !bit) {
            snprintf(err, err_len, "\"%s\": \"%.*s\" is not one of Amsterdam's EIPs", spec, (int)strcspn(p + 1, "+"),
                     p + 1);
            return false;
        }
        mask |= bit;
        p = end;
    }
    /* (as @ethereumjs's requiredEIPs: 8037's others are BPO2's already) */
    static const struct {
        unsigned eip, needs;
        const char *what;
    } requires[] = {
        {EIP_2780, EIP_7708, "2780 needs 7708"},
        {EIP_8037, EIP_2780 | EIP_7976 | EIP_7981, "8037 needs 2780, 7976 and 7981"},
    };
    for (size_t i = 0; i < sizeof requires / sizeof requires[0]; i++)
        if ((mask & requires[i].eip) && (mask & requires[i].needs) != requires[i].needs) {
            snprintf(err, err_len, "\"%s\": EIP-%s", spec, requires[i].what);
            return false;
        }
    fork_amsterdam_eips = mask;
    *out = FORK_AMSTERDAM;
    return true;
}

const struct fork_blob_params *fork_blob_params(enum fork f)
{
    /* EIP-4844 (Cancun): target 3, max 6. EIP-7691 (Prague, kept by
     * Osaka): target 6, max 9. EIP-7892 schedules, as the BPO meta EIPs
     * list them: BPO1 target 10, max 15; BPO2 target 14, max 21. */
    static const struct fork_blob_params cancun = {3, 6, 3338477};
    static const struct fork_blob_params prague = {6, 9, 5007716};
    static const struct fork_blob_params bpo1 = {10, 15, 8346193};
    static const struct fork_blob_params bpo2 = {14, 21, 11684671};
    if (f >= FORK_BPO2)
        return &bpo2;
    if (f >= FORK_BPO1)
        return &bpo1;
    if (f >= FORK_PRAGUE)
        return &prague;
    return &cancun;
}
