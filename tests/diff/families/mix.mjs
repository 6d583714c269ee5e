// The Cancun mix of transactions under Prague and Osaka rules: the blob
// schedule (EIP-7691: up to 9 blobs a block; EIP-7594: at most 6 a
// transaction from Osaka, so up to 7 are tried), the calldata floor, the
// system contracts present.
import { baseEnv, hex, hexBytes } from '../lib.mjs';
import { makeWorld, C } from './world.mjs';
import { randomTx } from './cancun.mjs';

function mix(fork) {
  return {
    name: fork.toLowerCase() + '-mix',
    fork,
    count: 70,
    about: `the Cancun transaction mix under ${fork} rules (blob schedule and per-tx blob cap, floor, system contracts)`,
    generate(rng) {
      const w = makeWorld(rng, fork);
      const env = baseEnv(fork, {
        baseFee: rng.pick([1, 7, 1000]),
        excessBlobGas: rng.pick([0, 0, 10_000_000]),
        withdrawals: rng.bool(0.3) ? [{ index: '0x0', validatorIndex: '0x5', address: rng.pick([...w.addrs, C.counter]), amount: hex(rng.range(0, 1e9)) }] : [],
      });
      const n = rng.bool(0.3) ? 1 : rng.range(2, 10);
      const txs = [];
      for (let i = 0; i < n; i++) txs.push(randomTx(rng, w, env, rng.int(w.keys.length), { maxBlobs: 7 }));
      return { name: `${n} tx`, alloc: w.alloc, env, txs };
    },
  };
}
export const pragueMix = mix('Prague');
export const osakaMix = mix('Osaka');
export const mix7778 = mix('BPO2+7778');
export const mix8038 = mix('BPO2+8038');
export const mix8037 = mix('BPO2+2780+7708+7928+7976+7981+8037');
export const mixAmsterdam = mix('Amsterdam');
