#!/usr/bin/env bash
# make demo: generate synthetic blocks (ETH and ERC-20 transfers, each
# independent and Zipf-contended), then benchmark sequential against
# parallel execution on them and on the mainnet snapshots, checking that
# every parallel result equals the sequential one.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=build/demo
mkdir -p "$OUT"
PAREVM=build/parevm
FIX="${PAREVM_FIXTURES:-../shared/fixtures}"
THREADS=$(nproc 2>/dev/null || echo 2)

gen() { # name, gen arguments...
    local name=$1
    shift
    if [ ! -f "$OUT/$name/block.json" ]; then
        "$PAREVM" gen "$@" --out "$OUT/$name" >/dev/null
    fi
    echo "$OUT/$name"
}

echo "== generating synthetic blocks in $OUT"
blocks=(
    "$(gen transfers-independent transfers --txs 2000 --accounts 4000 --seed 1)"
    "$(gen transfers-zipf transfers --txs 2000 --accounts 2000 --zipf 1.0 --seed 2)"
    "$(gen erc20-independent erc20 --txs 2000 --accounts 4000 --seed 3)"
    "$(gen erc20-zipf erc20 --txs 2000 --accounts 2000 --zipf 1.0 --seed 4)"
)
if [ -d "$FIX/mainnet" ]; then
    for d in "$FIX"/mainnet/*/; do blocks+=("${d%/}"); done
else
    echo "(mainnet snapshots not found at $FIX/mainnet: synthetic blocks only)"
fi

echo "== parevm bench --threads 1,$THREADS (sequential vs parallel; 'engine' s = the guard ran it sequentially)"
"$PAREVM" bench --threads "1,$THREADS" --reps 3 --json "$OUT/bench.json" "${blocks[@]}"
echo "== forced parallel engine on the synthetic blocks (the engine itself, no guard)"
"$PAREVM" bench --force --threads "1,$THREADS" --reps 3 "${blocks[@]:0:4}"
echo "results: $OUT/bench.json"
