// EIP-2935 history: the pre-block system call storing the parent hash in
// the history contract (at block numbers around the 8191 ring), reads of
// it through the contract (in range, too new, too old), and the BLOCKHASH
// opcode at depths 0, 1, 256, 257 (still served from the last 256 hashes).
import { asm, baseEnv, pad32, account, hex } from '../lib.mjs';
import { makeWorld, fees, C, probe, HISTORY } from './world.mjs';

const BH_PROBE = '0x00000000000000000000000000000000c00000b1';

export default {
  name: 'history',
  fork: 'Prague',
  count: 80,
  about: 'EIP-2935 history contract and BLOCKHASH depths',
  generate(rng) {
    const w = makeWorld(rng, 'Prague', { nkeys: 2 });
    const number = rng.pick([1, 2, 257, 8191, 8192, 8193, 20000, rng.range(300, 100000)]);
    const env = baseEnv('Prague', { number });
    // earlier blocks' hashes already in the ring
    if (rng.bool(0.5)) {
      const st = {};
      for (let k = 2; k < 6 && number - k >= 0; k++) st['0x' + pad32((number - k) % 8191)] = '0x' + pad32(BigInt(env.blockHashes[String(number - k)] ?? '0x1234'));
      w.alloc[HISTORY].storage = st;
    }
    if (rng.bool(0.08)) delete w.alloc[HISTORY]; // no code: the system call is skipped
    // BLOCKHASH(NUMBER - d) for the calldata's depths -> slots 1..
    const depths = [0, 1, 2, 256, 257, rng.range(1, 300)];
    const body = [];
    depths.forEach((d, i) => body.push(d, 'NUMBER', 'SUB', 'BLOCKHASH', i + 1, 'SSTORE'));
    body.push('STOP');
    w.alloc[BH_PROBE] = account({ nonce: 1, code: asm(body) });
    const n = rng.bool(0.5) ? 1 : rng.range(2, 4);
    const txs = [];
    for (let t = 0; t < n; t++) {
      const k = rng.int(3);
      let f;
      if (k === 0) f = { to: BH_PROBE };
      else {
        const q = rng.pick([number - 1, number - 2, number, number + 1, number - 8191, number - 8192, 0, rng.range(0, number + 10)]);
        f = { to: C.prober, data: probe(HISTORY, 60000, '0x' + pad32(BigInt(Math.max(0, q)))) };
      }
      txs.push(w.tx(rng.int(2), { type: 2, ...fees(rng, 2, 7n), gasLimit: 300000n, ...f }));
    }
    return { name: `block ${number}, ${n} tx`, alloc: w.alloc, env, txs };
  },
};
