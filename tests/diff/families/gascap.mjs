// EIP-7825 transaction gas limit cap (2^24 = 16,777,216, Osaka): limits
// just below, at and above the cap for every transaction type, in blocks
// with room for them; mixed with ordinary transactions.
import { baseEnv, pad32 } from '../lib.mjs';
import { makeWorld, fees, C } from './world.mjs';
import { randomTx } from './cancun.mjs';

const CAP = 16_777_216n;

export default {
  name: 'gascap',
  fork: 'Osaka',
  count: 70,
  about: 'EIP-7825 gas cap: limits around 2^24 for every tx type',
  generate(rng) {
    const w = makeWorld(rng, 'Osaka', { nkeys: 3, balance: 10n ** 22n });
    const env = baseEnv('Osaka', { gasLimit: rng.pick([45_000_000, 60_000_000, 30_000_000]) });
    const n = rng.bool(0.3) ? 1 : rng.range(2, 5);
    const txs = [];
    for (let t = 0; t < n; t++) {
      const s = rng.int(3);
      if (rng.bool(0.3)) { txs.push(randomTx(rng, w, env, s, { types: [0, 1, 2] })); continue; }
      const type = rng.pick([0, 1, 2, 3]);
      const gasLimit = rng.pick([CAP - 1n, CAP, CAP, CAP + 1n, CAP * 2n, 30_000_000n]);
      const f = { type, ...fees(rng, type, 7n), gasLimit, to: rng.pick([C.burner, C.counter]), data: '0x' + pad32(rng.range(0, 4)) };
      if (type === 3) { f.blobVersionedHashes = ['0x01' + '11'.repeat(31)]; f.maxFeePerBlobGas = 10n; }
      txs.push(w.tx(s, { ...f, bump: gasLimit <= CAP }));
    }
    return { name: `${n} tx`, alloc: w.alloc, env, txs };
  },
};
