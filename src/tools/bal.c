/*
 * parevm bal — the EIP-7928 block-level access list of block snapshots.
 *
 * Each BLOCK_DIR (a mainnet-format fixture: block.json, pre_state.json,
 * block_hashes.json; `parevm gen` writes the same) is executed with
 * recording on (exec/bal.h; sequentially, or on --exec-threads where the
 * guard picks Block-STM: the same list), checked against its header
 * like `parevm run` does, and its access list is summarised: accounts,
 * storage keys, RLP size, the EIP's item cap, its hash, and the bound a
 * list-driven executor could reach, min(P, W / longest transaction) with
 * gas as the cost (given the list, no transaction waits for another).
 * With --out the list is written as DIR/NAME.bal.rlp and NAME.bal.json.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../base/buf.h"
#include "../base/hex.h"
#include "../exec/bal.h"
#include "../exec/exec.h"
#include "../io/mainnet.h"
#include "cli.h"
#include "options.h"
#include "util.h"

void cli_bal_usage(FILE *out)
{
    fprintf(out,
            "usage: parevm bal [OPTIONS] BLOCK_DIR...\n"
            "\n"
            "Builds the EIP-7928 block-level access list of each block snapshot\n"
            "(block.json, pre_state.json, block_hashes.json, as in\n"
            "fixtures/mainnet/ or written by `parevm gen`) from a run of the\n"
            "block (sequential, or Block-STM with --exec-threads) under its own\n"
            "fork's rules: any fork parevm implements, not only Amsterdam (the\n"
            "list is derived from execution). The block is checked against its\n"
            "header first (as `parevm run` does; an Amsterdam block's\n"
            "blockAccessListHash too); a block that fails the check gets no\n"
            "list. A folder's chain.json names a network other than mainnet (see\n"
            "`parevm run --help`).\n"
            "\n"
            "Per block it prints: number, fork, transactions, accounts, storage\n"
            "keys, the list's RLP size in bytes, items (keys + accounts) against\n"
            "the EIP's cap gas_limit / %d, block_access_list_hash, and\n"
            "bound = min(P, W / L): W the block's gas used, L its longest\n"
            "transaction's, the speedup a list-driven executor could reach on P\n"
            "threads when every transaction runs at once. See docs/bal.md for\n"
            "the spec version followed and what is approximated.\n"
            "\n"
            "Two events only older blocks have are recorded beyond the EIP, so\n"
            "that their lists can drive them too: before Cancun, a destroyed\n"
            "account that existed gets its nonce and code going to zero as\n"
            "changes; before Spurious Dragon, an account created with nothing\n"
            "in it gets a balance change to zero. No Cancun-or-later list differs.\n"
            "\n"
            "options:\n"
            "  --out DIR      write DIR/NAME.bal.rlp (the RLP bytes) and\n"
            "                 DIR/NAME.bal.json (readable) for each block, NAME\n"
            "                 the block folder's last component (DIR is created)\n"
            "  --threads P    P of the bound (default 16)\n"
            "  --exec-threads N\n"
            "                 execute each block on N threads: Block-STM where the\n"
            "                 engine's guard would run the block in parallel, else\n"
            "                 sequentially; the list is the same bytes either way\n"
            "                 (default 1: sequential)\n"
            "  -h, --help     this text\n"
            "\n"
            "A list over the cap is reported, not failed: the cap binds from\n"
            "Amsterdam, and older blocks were built without it.\n"
            "\n"
            "Exit status: 0 when every block got its list, 1 when one failed\n"
            "(load, execution, header check, writing --out), 2 usage.\n",
            BAL_ITEM_COST);
}

static const char *base_name(const char *dir)
{
    const char *s = strrchr(dir, '/');
    return s ? s + 1 : dir;
}

static int write_outputs(const char *out_dir, const char *name, const struct bal *b,
                         const struct bytebuf *rlp, char *why, size_t why_len)
{
    size_t n = strlen(out_dir) + strlen(name) + 16;
    char *path = malloc(n);
    if (!path)
        return PAREVM_ERR_NOMEM;
    int err = PAREVM_OK;
    snprintf(path, n, "%s/%s.bal.rlp", out_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(rlp->data, 1, rlp->len, f) != rlp->len)
        err = PAREVM_ERR_IO;
    if (f && fclose(f))
        err = PAREVM_ERR_IO;
    if (!err) {
        snprintf(path, n, "%s/%s.bal.json", out_dir, name);
        f = fopen(path, "w");
        err = f ? bal_write_json(b, f) : PAREVM_ERR_IO;
        if (f && fclose(f))
            err = PAREVM_ERR_IO;
    }
    if (err)
        snprintf(why, why_len, "%s: %s", path, err == PAREVM_ERR_IO ? strerror(errno) : parevm_strerror(err));
    free(path);
    return err;
}

struct bal_totals {
    size_t blocks;
    size_t bytes;
    size_t max_bytes;
    size_t accounts, keys;
};

static bool bal_block(const char *dir, const char *out_dir, int threads, int exec_threads,
                      struct bal_totals *tot)
{
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    cfg.skip_intermediate_roots = true; /* the snapshot's state is partial */
    char why[512];
    why[0] = '\0';
    struct mainnet_fixture fx;
    int rc = mainnet_load(dir, &cfg, &fx, why, sizeof why);
    if (rc) {
        printf("%s: error: %s\n", dir, why);
        return false;
    }
    cfg = fx.cfg; /* (chain.json's network, where the folder has one) */
    struct bal b;
    bal_init(&b);
    struct exec_options opt = {.threads = exec_threads, .bal = &b, .no_sample = true};
    struct block_result res;
    struct bytebuf check = {0};
    struct bytebuf rlp = {0};
    bool ok = false;
    rc = exec_block_parallel(&cfg, &fx.block, &fx.pre, &fx.hashes, &opt, &res, NULL);
    if (rc) {
        printf("%s: execution error: %s%s%s\n", dir, parevm_strerror(rc), res.invalid_message[0] ? ": " : "",
               res.invalid_message);
    } else if (res.invalid) {
        printf("%s: block invalid: %s\n", dir, res.invalid_message);
    } else if ((rc = mainnet_check_header(&fx, &res, &check)) != PAREVM_OK ||
               (fx.block.header.has_bal_hash &&
                (rc = mainnet_check_bal_hash(&fx.block.header, &b, &check))) ||
               check.len) {
        bytebuf_push(&check, '\0');
        printf("%s: header check: %s\n", dir, rc ? parevm_strerror(rc) : (char *)check.data);
    } else if ((rc = bal_encode(&b, &rlp)) != PAREVM_OK) {
        printf("%s: encoding: %s\n", dir, parevm_strerror(rc));
    } else if (out_dir && write_outputs(out_dir, base_name(fx.dir), &b, &rlp, why, sizeof why)) {
        printf("%s: %s\n", dir, why);
    } else {
        struct bal_size sz;
        bal_measure(&b, &sz);
        uint64_t cap = bal_item_cap(fx.block.header.gas_limit);
        hash32 h;
        char hx[67];
        bal_hash(&b, &h);
        hex_encode(h.bytes, 32, hx);
        uint64_t longest = 0;
        for (size_t i = 0; i < res.receipt_count; i++)
            if (res.receipts[i].gas_used > longest)
                longest = res.receipts[i].gas_used;
        double bound = longest ? (double)res.gas_used / (double)longest : 0;
        if (bound > threads)
            bound = threads;
        printf("%-9llu %-10s %5zu txs %6zu accounts %7zu keys %9zu bytes %7zu/%llu items %s bound %.2f%s\n",
               (unsigned long long)fx.block.header.number, fork_name(fx.fork), fx.block.tx_count, sz.accounts,
               sz.storage_keys, rlp.len, sz.items, (unsigned long long)cap, hx, bound,
               sz.items > cap ? "  (over the EIP-7928 cap)" : "");
        ok = true;
        tot->blocks++;
        tot->bytes += rlp.len;
        if (rlp.len > tot->max_bytes)
            tot->max_bytes = rlp.len;
        tot->accounts += sz.accounts;
        tot->keys += sz.storage_keys;
    }
    bytebuf_free(&rlp);
    bytebuf_free(&check);
    block_result_free(&res);
    bal_free(&b);
    mainnet_fixture_free(&fx);
    return ok;
}

int cli_bal(int argc, char **argv)
{
    const char *out_dir = NULL;
    int threads = 16, exec_threads = 1;
    const struct option_spec specs[] = {
        {.name = "--help", .alias = "-h", .kind = OPTION_HELP},
        {.name = "--out", .kind = OPTION_STRING, .dest = &out_dir},
        {.name = "--threads",
         .kind = OPTION_INT,
         .dest = &threads,
         .min = 1,
         .max = 1024,
         .bad = "bad thread count '%s' (1..1024)"},
        {.name = "--exec-threads",
         .kind = OPTION_INT,
         .dest = &exec_threads,
         .min = 1,
         .max = 1024,
         .bad = "bad thread count '%s' (1..1024)"},
        {0},
    };
    int dir_count = 0;
    int rc = cli_parse_options("bal", cli_bal_usage, specs, argc, argv, &dir_count);
    if (rc >= 0)
        return rc;
    if (dir_count == 0)
        return usage_error_for("bal", "%s", "no BLOCK_DIR given");
    if (out_dir && mkdir(out_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "parevm bal: %s: %s\n", out_dir, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    struct bal_totals tot = {0};
    int failed = 0;
    for (int i = 1; i <= dir_count; i++)
        if (!bal_block(argv[i], out_dir, threads, exec_threads, &tot))
            failed++;
    if (tot.blocks > 1)
        printf("%zu blocks: %zu bytes in all, mean %zu, largest %zu; mean %zu accounts, %zu keys\n",
               tot.blocks, tot.bytes, tot.bytes / tot.blocks, tot.max_bytes, tot.accounts / tot.blocks,
               tot.keys / tot.blocks);
    if (failed)
        printf("%d of %d blocks failed\n", failed, dir_count);
    return failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
