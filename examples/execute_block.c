/*
 * execute_block — parevm embedded in a host, through <parevm.h> only.
 *
 *   execute_block FIXTURE_DIR
 *
 * Loads a mainnet block snapshot (block.json, pre_state.json,
 * block_hashes.json), then executes the block twice, sequentially and
 * with Block-STM, against a state provider of the host's own: here a
 * stand-in for a node's database that answers from the snapshot's state
 * and counts what parevm asked it. Both runs must agree; the program
 * prints the block's gas used and receipts root (which `make test`
 * compares with the header, scripts/check-example) and what the
 * provider was asked.
 *
 * Build: cc execute_block.c $(pkg-config --cflags --libs parevm)
 * Exit status: 0 success, 1 failure (the reason on stderr), 2 usage.
 */
#include <parevm.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The host's state: a database handle and its statistics. The parallel
 * engine may call the provider from several threads (one at a time), so
 * the counters are guarded anyway, as a real host's cache would be. */
struct host_db {
    const parevm_state *snapshot;
    pthread_mutex_t lock;
    unsigned long accounts, slots, codes, hashes;
};

static void count(struct host_db *db, unsigned long *counter)
{
    pthread_mutex_lock(&db->lock);
    (*counter)++;
    pthread_mutex_unlock(&db->lock);
}

static int host_account(void *arg, const uint8_t address[20], int *exists, parevm_account *out)
{
    struct host_db *db = arg;
    count(db, &db->accounts);
    return parevm_state_get_account(db->snapshot, address, exists, out) == PAREVM_OK ? 0 : -1;
}

static int host_storage(void *arg, const uint8_t address[20], const uint8_t key[32], uint8_t value[32])
{
    struct host_db *db = arg;
    count(db, &db->slots);
    return parevm_state_get_storage(db->snapshot, address, key, value) == PAREVM_OK ? 0 : -1;
}

static int host_code(void *arg, const uint8_t code_hash[32], const uint8_t **code, size_t *len)
{
    struct host_db *db = arg;
    count(db, &db->codes);
    return parevm_state_get_code(db->snapshot, code_hash, code, len) == PAREVM_OK ? 0 : -1;
}

static int host_block_hash(void *arg, uint64_t number, int *found, uint8_t hash[32])
{
    struct host_db *db = arg;
    count(db, &db->hashes);
    return parevm_state_get_block_hash(db->snapshot, number, found, hash) == PAREVM_OK ? 0 : -1;
}

static void print_hex(const char *label, const uint8_t *bytes, size_t len)
{
    printf("%s0x", label);
    for (size_t i = 0; i < len; i++)
        printf("%02x", bytes[i]);
    printf("\n");
}

/* Execute block with engine; on success *out is the result. */
static int run(const parevm_ctx *ctx, const parevm_block *block, const parevm_state_provider *provider,
               parevm_engine engine, const char *name, parevm_result **out)
{
    parevm_execute_options opts = {engine, 4};
    int rc = parevm_execute_block(ctx, block, provider, &opts, out);
    if (rc == PAREVM_ERR_TX_INVALID || rc == PAREVM_ERR_BLOCK_INVALID) {
        fprintf(stderr, "%s: invalid block: %s\n", name, parevm_result_invalid_reason(*out));
        parevm_result_destroy(*out);
        *out = NULL;
    } else if (rc) {
        fprintf(stderr, "%s: %s\n", name, parevm_strerror(rc));
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: execute_block FIXTURE_DIR\n");
        return 2;
    }
    int status = 1;
    parevm_ctx_options copts = {0, NULL}; /* all CPUs, mainnet's forks */
    parevm_ctx *ctx = parevm_ctx_create(&copts);
    parevm_block *block = NULL;
    parevm_state *snapshot = NULL;
    parevm_result *seq = NULL, *par = NULL;
    char err[512];
    if (!ctx) {
        fprintf(stderr, "parevm_ctx_create failed\n");
        return 1;
    }
    int rc = parevm_block_from_fixture(ctx, argv[1], &block, &snapshot, err, sizeof err);
    if (rc) {
        fprintf(stderr, "%s\n", err);
        goto done;
    }

    struct host_db db = {snapshot, PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0};
    parevm_state_provider provider = {&db, host_account, host_storage, host_code, host_block_hash};
    if (run(ctx, block, &provider, PAREVM_ENGINE_SEQUENTIAL, "sequential", &seq) ||
        run(ctx, block, &provider, PAREVM_ENGINE_BLOCK_STM, "block-stm", &par))
        goto done;

    uint8_t root_seq[32], root_par[32];
    int root_rc = parevm_result_receipts_root(seq, root_seq);
    if (root_rc == PAREVM_OK && parevm_result_receipts_root(par, root_par) == PAREVM_OK &&
        memcmp(root_seq, root_par, 32) != 0) {
        fprintf(stderr, "sequential and block-stm receipts roots differ\n");
        goto done;
    }
    if (parevm_result_gas_used(seq) != parevm_result_gas_used(par)) {
        fprintf(stderr, "sequential and block-stm gas used differ\n");
        goto done;
    }

    size_t n = parevm_result_receipt_count(seq), logs = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        int st = 0;
        size_t lc = 0;
        parevm_result_receipt(seq, i, &st, NULL, &lc);
        logs += lc;
        failed += st == 0;
    }
    printf("block: %llu (%zu transactions, %zu failed, %zu logs)\n",
           (unsigned long long)parevm_block_number(block), parevm_block_tx_count(block), failed, logs);
    printf("gasUsed: 0x%llx\n", (unsigned long long)parevm_result_gas_used(seq));
    if (root_rc == PAREVM_OK)
        print_hex("receiptsRoot: ", root_seq, 32);
    else
        printf("receiptsRoot: unavailable (%s)\n", parevm_strerror(root_rc));
    printf("provider calls (both runs): %lu account, %lu storage, %lu code, %lu block hash\n", db.accounts,
           db.slots, db.codes, db.hashes);
    printf("sequential == block-stm: yes\n");
    status = 0;
done:
    parevm_result_destroy(seq);
    parevm_result_destroy(par);
    parevm_state_destroy(snapshot);
    parevm_block_destroy(block);
    parevm_ctx_destroy(ctx);
    return status;
}
