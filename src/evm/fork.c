/* Fork names as ethereum/tests spells them in `post` keys, plus the
 * aliases other tools (geth t8n, execution-spec-tests) use. */
#include "fork.h"

#include <stddef.h>
#include <strings.h>

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
};

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
