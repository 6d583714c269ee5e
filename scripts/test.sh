#!/usr/bin/env bash
# parevm test driver, run by `make test` (and by CI through .ci/run).
#
#   scripts/test.sh [--full]
#
# Stages (each prints its own result; a summary line closes the run):
#   1. unit tests (release build)
#   2. unit tests + a conformance subset under AddressSanitizer+UBSan
#   3. the parallel-engine tests (test_parallel, and test_requests: Prague
#      blocks with EIP-7685 requests; test_api: a state provider behind
#      Block-STM; test_ctx: 100 contexts made, used, destroyed;
#      test_mvmemory and test_partition: the multi-version memory and the
#      partitioned pass; test_balexec: the access-list-driven engine)
#      under ThreadSanitizer
#   4. conformance: GeneralStateTests + LegacyGeneralStateTests + eest-osaka,
#      BlockchainTests, the mainnet block snapshots
#      (stTimeConsuming only with --full: BLAKE2F with 2^32-1 rounds alone
#      takes minutes per fork, as evmone's default filter also skips it)
#   5. report-browser: a small `parevm bench --report` opened in headless
#      Chromium (scripts/check-report: charts rendered, no console errors);
#      "skipped" when chromium is not installed
#   6. bench-cli: `parevm bench --ceiling --json` on a small generated
#      block (scripts/check-bench: build and machine lines, columns, JSON
#      fields, --engine, results checked; formats only, never timings)
#   7. forks-cli: every tool refuses a fork parevm does not implement or
#      does not know, with the fork named and a non-zero exit
#      (scripts/check-forks)
#   8. inputs-cli: JSON inputs are strict (text after the value, \u0000 in
#      a string, a repeated key: refused naming the file) and a statetest
#      or blocktest run in which no case matched exits 1
#      (scripts/check-inputs)
#  8b. t8n-geth: go-ethereum's own cmd/evm t8n cases (tests/t8n-geth)
#      through `parevm t8n`: consensus fields exact, cosmetic ones
#      reported (scripts/check-t8n-geth)
#   9. diff-ethereumjs: generated blocks run through `parevm t8n` and
#   9. resources-cli: `t8n --threads 16` and `--threads 64` on 64
#      transactions 1024 calls deep, under ulimit -v 2500000: the
#      sequential state root (scripts/check-resources)
#   9. fuzz: the libFuzzer targets (tests/fuzz/, clang, ASan+UBSan):
#      every crash ever found replayed, then each target for 15 s
#      (scripts/fuzz-ci); "skipped" without clang's libFuzzer
#  9b. example-lib: libparevm.so exports only parevm_* and
#      evmc_create_parevm; `make install` into a temp PREFIX, then
#      examples/execute_block.c built with pkg-config against it runs
#      mainnet snapshots through its own state provider
#      (scripts/check-example)
#  10. diff-ethereumjs: generated blocks run through `parevm t8n` and
#      @ethereumjs/vm, results compared (tests/diff, the families switched
#      on in tests/diff/families.mjs); "skipped" without node or without
#      node_modules (scripts/setup runs `npm ci`)
#  11. bal-cli: `parevm bal` (EIP-7928 access lists) on three mainnet
#      snapshots: --out files, sizes, repeatability (scripts/check-bal)
#  12. diff-bal: the access lists of the Prague/Osaka families' cases and
#      of explicit revert/self-destruct/precompile/system/edge cases
#      (`parevm t8n --output.bal`), and of one block of every `gen`
#      scenario (`parevm bal`), against @ethereumjs/vm with EIP-7928 on
#      (tests/diff/bal.mjs --count 6 --cases 2 --blocks 3: Prague, Osaka, Amsterdam, ~85 s); skipped like 10
#
# Fixtures: $PAREVM_FIXTURES, else ../shared/fixtures beside the repo.
# Without them the conformance stages say "skipped: fixtures not found".
set -u
cd "$(dirname "$0")/.."
# The EVM recurses once per call depth (up to 1024) on the caller's stack,
# and sanitizer builds use several times the release frame size: give the
# test processes room (a raise of the soft limit; ignored where refused).
ulimit -s 262144 2>/dev/null || true
FULL=0
[ "${1:-}" = "--full" ] && FULL=1
JOBS=$(nproc 2>/dev/null || echo 2)
FIX="${PAREVM_FIXTURES:-../shared/fixtures}"
if [ ! -d "$FIX/ethereum-tests" ]; then FIX=""; fi
export PAREVM_FIXTURES="${FIX}"

total_pass=0
total_fail=0
failed_stages=""
LOG=build/test-logs
mkdir -p "$LOG"

note() { printf '\n== %s\n' "$*"; }

# Add the counts from a log: cmocka "[  PASSED  ] N test(s)." /
# "[  FAILED  ] N test(s)" and parevm's "N passed, N failed".
count_log() {
    local log=$1 p f
    p=$(grep -hoE '^\[  PASSED  \] [0-9]+' "$log" | awk '{s+=$NF} END {print s+0}')
    f=$(grep -hoE '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s+=$(NF-1)} END {print s+0}')
    local sp sf
    sp=$(grep -hoE '^[0-9]+ passed, [0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
    sf=$(grep -hoE '^[0-9]+ passed, [0-9]+ failed' "$log" | awk '{s+=$3} END {print s+0}')
    total_pass=$((total_pass + p + sp))
    total_fail=$((total_fail + f + sf))
}

run_stage() { # name, command...
    local name=$1
    shift
    local log="$LOG/$name.log"
    note "$name"
    local start=$SECONDS
    "$@" >"$log" 2>&1
    local rc=$?
    grep -E 'PASSED|FAILED|passed, |skipped|error|ERROR|Sanitizer|runtime error' "$log" | grep -v '^\[ RUN' | tail -40
    local before_fail=$total_fail
    count_log "$log"
    echo "($name: exit $rc, $((SECONDS - start)) s, log $log)"
    if [ $rc -ne 0 ]; then
        failed_stages="$failed_stages $name"
        # A stage that failed without a counted failure (a crash, a
        # sanitizer report) still counts as one.
        [ "$total_fail" -eq "$before_fail" ] && total_fail=$((total_fail + 1))
    fi
    return 0
}

unit_tests() { # dir
    local rc=0
    for t in "$1"/tests/test_*; do
        [ -x "$t" ] || continue
        echo "-- $t"
        "$t"
        local st=$?
        # named here, where the summary's grep finds it: a binary can exit
        # non-zero with every cmocka test passed (test_fault's site count)
        [ $st -eq 0 ] || { echo "FAIL: $t exited with status $st"; rc=1; }
    done
    return $rc
}

STATE_DIRS=()
ASAN_DIRS=()
if [ -n "$FIX" ]; then
    G="$FIX/ethereum-tests/GeneralStateTests"
    for d in "$G"/*/; do
        case "$d" in */stTimeConsuming/) [ $FULL = 1 ] || continue ;; esac
        STATE_DIRS+=("$d")
    done
    STATE_DIRS+=("$FIX/ethereum-tests/LegacyGeneralStateTests")
    # Prague and Osaka (execution-spec-tests); small enough for the
    # sanitizer subset too.
    if [ -d "$FIX/eest-osaka" ]; then
        STATE_DIRS+=("$FIX/eest-osaka")
        ASAN_DIRS+=("$FIX/eest-osaka")
    fi
    # A subset that touches every layer and runs quickly under sanitizers.
    for d in stExample stCallCodes stCreate2 stRevertTest stSStoreTest stRefundTest stSelfBalance \
        stStaticCall stReturnDataTest stPreCompiledContracts stZeroKnowledge2 Cancun Shanghai VMTests; do
        [ -d "$G/$d" ] && ASAN_DIRS+=("$G/$d")
    done
fi

note "build (release, warnings as errors)"
make -s -j"$JOBS" CI=1 all tests || { echo "release build failed"; exit 1; }
note "build (asan+ubsan)"
make -s -j"$JOBS" CI=1 VARIANT=asan all tests || { echo "asan build failed"; exit 1; }
note "build (tsan: parallel tests)"
make -s -j"$JOBS" CI=1 VARIANT=tsan build/tsan/tests/test_parallel build/tsan/tests/test_requests build/tsan/tests/test_api \
    build/tsan/tests/test_ctx build/tsan/tests/test_mvmemory build/tsan/tests/test_partition \
    build/tsan/tests/test_balexec ||
    { echo "tsan build failed"; exit 1; }

run_stage unit unit_tests build
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_stage unit-asan unit_tests build/asan
tsan_tests() { # the parallel engine, Prague blocks with requests (EIP-7685),
    # a host's state provider read by Block-STM's workers (test_api),
    # 100 contexts made, used and destroyed, their workers joined (test_ctx),
    # the multi-version memory and the partitioned pass on their own, and
    # the access-list-driven engine (test_balexec)
    build/tsan/tests/test_parallel && build/tsan/tests/test_requests && build/tsan/tests/test_api &&
        build/tsan/tests/test_ctx && build/tsan/tests/test_mvmemory && build/tsan/tests/test_partition &&
        build/tsan/tests/test_balexec
}
TSAN_OPTIONS=halt_on_error=1 PAREVM_STRESS_ROUNDS=1 run_stage parallel-tsan tsan_tests
if [ -n "$FIX" ]; then
    run_stage statetest-asan build/asan/parevm statetest --quiet -j "$JOBS" "${ASAN_DIRS[@]}"
    run_stage statetest build/parevm statetest -j "$JOBS" "${STATE_DIRS[@]}"
    run_stage blocktest build/parevm blocktest -j "$JOBS" "$FIX/ethereum-tests/BlockchainTests"
    run_stage mainnet build/parevm run "$FIX"/mainnet/*/
else
    note "conformance"
    echo "skipped: fixtures not found (set PAREVM_FIXTURES or place them at ../shared/fixtures)"
fi

run_stage report-browser scripts/check-report
run_stage bench-cli scripts/check-bench
run_stage forks-cli scripts/check-forks
run_stage inputs-cli scripts/check-inputs
if command -v python3 >/dev/null 2>&1; then
    run_stage t8n-geth scripts/check-t8n-geth
else
    note "t8n-geth"
    echo "skipped: python3 not found"
fi
run_stage resources-cli scripts/check-resources
run_stage fuzz scripts/fuzz-ci
run_stage census-cli scripts/check-census
run_stage example-lib scripts/check-example

if ! command -v node >/dev/null 2>&1; then
    note "diff-ethereumjs"
    echo "skipped: node not found"
elif [ ! -d node_modules/@ethereumjs/vm ]; then
    note "diff-ethereumjs"
    echo "skipped: node_modules not found (scripts/setup runs npm ci)"
else
    run_stage diff-ethereumjs node tests/diff/run.mjs --quiet --out build/diff-failures
fi
run_stage bal-cli scripts/check-bal
if ! command -v node >/dev/null 2>&1; then
    note "diff-bal"
    echo "skipped: node not found"
elif [ ! -d node_modules/@ethereumjs/vm ]; then
    note "diff-bal"
    echo "skipped: node_modules not found (scripts/setup runs npm ci)"
else
    run_stage diff-bal node tests/diff/bal.mjs --count 6 --cases 2 --blocks 3
fi

note "summary"
# What each failed stage said, here at the end where a CI log's tail
# shows it: its failing checks and the last lines of its log.
for name in $failed_stages; do
    echo "-- $name (log $LOG/$name.log): failing lines, then its last lines"
    grep -E '^FAIL|FAILED|[Ee]rror|Sanitizer|differs|mismatch' "$LOG/$name.log" | grep -v '^\[ RUN' | head -20
    tail -n 15 "$LOG/$name.log"
done
if [ -n "$failed_stages" ]; then
    echo "failed stages:$failed_stages"
fi
echo "make test: $total_pass passed, $total_fail failed"
[ -z "$failed_stages" ] && [ "$total_fail" -eq 0 ]
