// EIP-7939 CLZ (0x1e, Osaka): count leading zeros of edge values (0, 1,
// powers of two, all ones, 2^255, random), results stored, gas through
// GAS before/after, and CLZ on an empty stack (exceptional halt).
import { asm, baseEnv, pad32, hexBytes, account } from '../lib.mjs';
import { makeWorld, fees } from './world.mjs';

const CLZ_PROBE = '0x00000000000000000000000000000000c00000c1';

export default {
  name: 'clz',
  fork: 'Osaka',
  count: 60,
  about: 'EIP-7939 CLZ: edge values, gas, stack underflow',
  generate(rng) {
    const w = makeWorld(rng, 'Osaka', { nkeys: 2 });
    const vals = [];
    for (let i = 0; i < rng.range(1, 8); i++) vals.push(rng.pick([0n, 1n, 2n ** 255n, 2n ** 256n - 1n, 2n ** BigInt(rng.range(0, 255)), (2n ** BigInt(rng.range(0, 255))) - 1n, rng.big(256), rng.big(rng.range(1, 255))]));
    const body = [];
    vals.forEach((v, i) => body.push({ raw: '7f' + pad32(v) }, 'CLZ', i + 1, 'SSTORE'));
    // gas of one CLZ: GAS, PUSH0, CLZ, POP, GAS, SWAP1, SUB -> slot 100
    body.push('GAS', 'PUSH0', 'CLZ', 'POP', 'GAS', 'SWAP1', 'SUB', 100, 'SSTORE');
    // CLZ of calldata word 0 -> slot 101
    body.push('PUSH0', 'CALLDATALOAD', 'CLZ', 101, 'SSTORE');
    if (rng.bool(0.15)) body.push('CLZ'); // empty stack: exceptional halt, all gas gone
    body.push('STOP');
    w.alloc[CLZ_PROBE] = account({ nonce: 1, code: asm(body) });
    const env = baseEnv('Osaka');
    const n = rng.bool(0.6) ? 1 : rng.range(2, 3);
    const txs = [];
    for (let t = 0; t < n; t++) txs.push(w.tx(rng.int(2), { type: 2, ...fees(rng, 2, 7n), gasLimit: BigInt(rng.pick([300000, 300000, 40000])), to: CLZ_PROBE, data: '0x' + pad32(rng.big(rng.range(0, 256))) }));
    return { name: `${vals.length} values, ${n} tx`, alloc: w.alloc, env, txs };
  },
};
