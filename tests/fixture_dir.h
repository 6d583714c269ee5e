/* Test helpers for block fixture folders (the mainnet snapshot format
 * that `parevm gen` writes): temporary folders, their three files, and
 * reading a file whole through the project's own io_read_file. Included
 * by the tests that write or copy fixtures; static, header only. */
#ifndef PAREVM_TESTS_FIXTURE_DIR_H
#define PAREVM_TESTS_FIXTURE_DIR_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../src/io/file.h"

static const char *const fixture_files[] = {"block.json", "pre_state.json", "block_hashes.json"};

/* A fresh folder /tmp/parevm-test-<name>-XXXXXX in dir. */
static void make_tmpdir(char dir[64], const char *name)
{
    snprintf(dir, 64, "/tmp/parevm-test-%s-XXXXXX", name);
    assert_non_null(mkdtemp(dir));
}

/* Remove a fixture folder, its three files and its chain.json if any. */
static void remove_fixture(const char *dir)
{
    char path[256];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, fixture_files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/chain.json", dir);
    unlink(path);
    rmdir(dir);
}

/* The whole file, NUL-terminated (*len excludes the NUL); NULL when it
 * cannot be read. Free with free(). */
static char *read_all(const char *path, size_t *len)
{
    char *data;
    return io_read_file(path, &data, len, NULL, 0) == PAREVM_OK ? data : NULL;
}

#endif
