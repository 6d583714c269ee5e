#!/usr/bin/env bash
# make demo: the default suite. Generates every scenario at low contention
# (--zipf 0: independent transactions) and high contention (--zipf 1.2:
# Zipf-distributed hot accounts/contracts), plus a few mainnet snapshots
# when the fixtures are there, then runs `parevm bench` on them (Block-STM
# and the access-list-driven engine at each thread count against
# sequential execution, every result checked identical; bench exits
# non-zero otherwise; --ceiling: also what the machine allows at each
# thread count) and writes
# parevm-report.html and parevm-report.json in the repository root.
#
# Environment:
#   PAREVM_DEMO_TXS       transactions per generated block (default 2000)
#   PAREVM_DEMO_THREADS   thread counts (default: 1,2,4,... up to the CPUs, at least 1,2)
#   PAREVM_DEMO_REPS      repetitions per measurement (default 5)
#   PAREVM_DEMO_MAINNET   how many mainnet snapshots to add (default 3, 0 for none)
#   PAREVM_FIXTURES       fixtures folder (default ../shared/fixtures)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=build/demo
mkdir -p "$OUT"
PAREVM=build/parevm
FIX="${PAREVM_FIXTURES:-../shared/fixtures}"
TXS="${PAREVM_DEMO_TXS:-2000}"
REPS="${PAREVM_DEMO_REPS:-5}"
MAINNET="${PAREVM_DEMO_MAINNET:-3}"
if [ -n "${PAREVM_DEMO_THREADS:-}" ]; then
    THREADS=$PAREVM_DEMO_THREADS
else
    cpus=$(nproc 2>/dev/null || echo 2)
    THREADS=1
    for ((p = 2; p <= cpus || p == 2; p *= 2)); do THREADS="$THREADS,$p"; done
fi
SCENARIOS=(transfers erc20 amm lending nft supply dao mixed smart) # smart: Prague, EIP-7702
ADVERSARIAL=(storm memory hotbalance redeploy create2 recursion) # one block each: a hot-slot conflict
# storm, maximal-memory transactions, one account paid by all, a CREATE2/self-destruct cycle on one
# address, a CREATE2 salt reused, self-calls as deep as 16M gas allows (488 frames)
start=$SECONDS

# gen NAME SCENARIO ARGS...: the block in $OUT/NAME, regenerated when its
# arguments changed (gen is deterministic: same arguments, same files).
# Returns 3 when this parevm does not know the scenario yet.
gen() {
    local name=$1 dir="$OUT/$1"
    shift
    local args="$*"
    if [ -f "$dir/block.json" ] && [ "$(cat "$dir/.gen-args" 2>/dev/null)" = "$args" ]; then
        return 0
    fi
    local err
    if ! err=$("$PAREVM" gen "$@" --out "$dir" 2>&1 >/dev/null); then
        if grep -q "unknown kind\|unknown scenario" <<<"$err"; then
            return 3
        fi
        echo "demo: parevm gen $args failed:" >&2
        echo "$err" >&2
        exit 1
    fi
    echo "$args" >"$dir/.gen-args"
}

echo "== generating the suite in $OUT ($TXS transactions per block; low contention --zipf 0, high --zipf 1.2)"
blocks=()
missing=()
seed=0
for s in "${SCENARIOS[@]}"; do
    for level in low high; do
        zipf=0
        [ $level = high ] && zipf=1.2
        seed=$((seed + 1))
        if gen "$s-$level" "$s" --txs "$TXS" --accounts $((2 * TXS)) --zipf "$zipf" --seed "$seed"; then
            blocks+=("$OUT/$s-$level")
        else
            missing+=("$s")
            break
        fi
    done
done
# Amsterdam (EIP-7928 lists in the header, EIP-8037 state gas, ...): one
# mixed block, of the network gen names in its chain.json
seed=$((seed + 1))
if gen amsterdam-mixed mixed --txs "$TXS" --accounts $((2 * TXS)) --zipf 1.2 --seed "$seed" --fork amsterdam; then
    blocks+=("$OUT/amsterdam-mixed")
else
    missing+=("mixed --fork amsterdam")
fi
adversarial=()
for s in "${ADVERSARIAL[@]}"; do
    n=$TXS
    [ "$s" = memory ] && n=$(((TXS + 3) / 4)) # 640 KiB of memory and 1M gas each
    seed=$((seed + 1))
    if gen "$s-adv" "$s" --txs "$n" --seed "$seed"; then
        adversarial+=("$OUT/$s-adv")
    else
        missing+=("$s")
    fi
done
blocks+=("${adversarial[@]}")
echo "   ${#blocks[@]} blocks: $(for b in "${blocks[@]}"; do printf '%s ' "${b##*/}"; done)"
for s in "${missing[@]}"; do
    echo "   NOTE: scenario '$s' skipped: this parevm has no 'gen $s' yet"
done
if [ "$MAINNET" -gt 0 ] && [ -d "$FIX/mainnet" ]; then
    # the most recent ones (post-Byzantium: the parallel engine applies)
    n=0
    for num in $(ls "$FIX/mainnet" | grep -E '^[0-9]+$' | sort -n | tail -n "$MAINNET"); do
        [ -f "$FIX/mainnet/$num/block.json" ] || continue
        blocks+=("$FIX/mainnet/$num")
        n=$((n + 1))
    done
    echo "   + $n mainnet snapshots from $FIX/mainnet"
else
    echo "   (no mainnet snapshots: PAREVM_DEMO_MAINNET=0 or $FIX/mainnet not found)"
fi
echo "   ($((SECONDS - start)) s)"

echo
echo "== parevm bench --engine seq,stm,bal --force --ceiling --threads $THREADS --reps $REPS: Block-STM and"
echo "   the access-list-driven engine (EIP-7928) against sequential"
echo "   (every parallel result is checked identical to the sequential one; stm's bound = oracle min(P, W/S),"
echo "   bal's = min(P, W/L) with L the longest transaction; 'd': a block the list cannot drive, run again"
echo "   without it; ceil = what this machine allows at P threads, so that a slow engine can be told from a"
echo "   busy host; bench prints the machine and its load average before and after)"
"$PAREVM" bench --engine seq,stm,bal --force --ceiling --threads "$THREADS" --reps "$REPS" \
    --report parevm-report.html "${blocks[@]}"
if [ ${#adversarial[@]} -gt 0 ]; then
    echo
    echo "== parevm bench --threads $THREADS --reps $REPS: the adversarial blocks with the guard on"
    echo "   (what a node would pay: the guard should keep them near sequential time)"
    "$PAREVM" bench --threads "$THREADS" --reps "$REPS" "${adversarial[@]}"
fi
echo
for s in "${missing[@]}"; do
    echo "NOTE: scenario '$s' was skipped (not available in this build's 'parevm gen')"
done
echo "demo: done in $((SECONDS - start)) s; open parevm-report.html (data: parevm-report.json)"
