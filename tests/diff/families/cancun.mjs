// Plain Cancun blocks: the harness's own check (parevm passes every
// Cancun fixture, so any disagreement here is the harness's or the
// reference's). A random mix of transfers, storage, logs, reverts,
// creations, SELFDESTRUCT (EIP-6780), transient storage (EIP-1153),
// MCOPY (EIP-5656), blob transactions (EIP-4844), the beacon-roots
// contract (EIP-4788), withdrawals, precompiles and invalid transactions.
import { baseEnv, ETH, pad32, deployCode, concatHex, hexBytes, hex, account } from '../lib.mjs';
import { makeWorld, fees, C, probe, childRuntime, BEACON_ROOTS } from './world.mjs';

/** One random transaction from sender `s` (may be invalid on purpose). */
export function randomTx(rng, w, env, s, { blob = true, types = [0, 1, 2, 3], maxBlobs = 3 } = {}) {
  const baseFee = BigInt(env.currentBaseFee);
  let type = rng.pick(types);
  if (type === 3 && !blob) type = 2;
  const f = { type, ...fees(rng, type, baseFee), gasLimit: 100000n, value: 0n, data: '0x' };
  const kind = rng.int(16);
  switch (kind) {
    case 0: f.to = rng.pick([...w.addrs, '0x' + hexBytes(rng.bytes(20)).slice(2)]); f.value = BigInt(rng.range(0, 1e6)); f.gasLimit = 21000n; break;
    case 1: f.to = C.counter; f.data = hexBytes(rng.bytes(rng.range(0, 40))); break;
    case 2: f.to = C.store; f.data = concatHex(pad32(rng.pick([0, 0, 1, rng.range(1, 1 << 30)])), pad32(rng.pick([1, 2, 3, rng.range(4, 9)]))); break;
    case 3: f.to = C.reverter; break;
    case 4: { // precompiles 1..10 with random input
      const pc = rng.range(1, 10);
      f.to = C.prober;
      f.data = probe(pc, rng.pick([100000, 3000, 50]), hexBytes(rng.bytes(rng.pick([0, 32, 64, 128, 192, 213]))));
      f.gasLimit = 200000n;
      break;
    }
    case 5: { // creation transaction
      delete f.to;
      f.data = rng.bool(0.8) ? deployCode(childRuntime) : '0x60006000fd';
      f.gasLimit = 120000n;
      f.value = BigInt(rng.range(0, 3));
      break;
    }
    case 6: { // CREATE / CREATE2 through the factory; sometimes init code that self-destructs (EIP-6780: removed)
      f.to = C.factory;
      const init = rng.bool(0.3) ? '0x' + '73' + w.addrs[0].slice(2) + 'ff' : deployCode(childRuntime);
      f.data = concatHex(pad32(rng.int(2)), pad32(rng.int(3)), init);
      f.gasLimit = 200000n;
      f.value = BigInt(rng.range(0, 2));
      break;
    }
    case 7: f.to = C.destructor; f.data = '0x' + pad32(BigInt(rng.pick(w.addrs))); break;
    case 8: f.to = C.transient; f.data = '0x' + pad32(rng.range(0, 99)); break;
    case 9: f.to = C.envProbe; f.value = BigInt(rng.range(0, 5)); f.gasLimit = 400000n; break;
    case 10: f.to = C.burner; f.data = '0x' + pad32(rng.range(0, 8)); f.gasLimit = BigInt(rng.pick([60000, 120000, 300000])); break;
    case 11: // EIP-4788 get through the prober: current timestamp (stored by the system call) or a miss
      f.to = C.prober; f.data = probe(BEACON_ROOTS, 50000, '0x' + pad32(rng.bool(0.7) ? BigInt(env.currentTimestamp) : 12345n)); break;
    case 12: f.to = C.staticProber; f.data = probe(rng.pick([C.counter, C.store, 2, 4]), 60000, '0x' + pad32(7)); break;
    case 13: f.to = C.delegateProber; f.data = probe(C.store, 60000, concatHex(pad32(9), pad32(rng.range(1, 4)))); break;
    case 14: f.to = C.counter; f.value = BigInt(rng.range(1, 100)); break;
    default: f.to = rng.pick(w.addrs); f.value = 1n; f.gasLimit = 21000n;
  }
  if (type >= 1 && rng.bool(0.3)) f.accessList = [{ address: f.to ?? C.store, storageKeys: ['0x' + pad32(rng.int(3))] }];
  if (type === 3) {
    if (!f.to) f.to = C.envProbe; // EIP-4844: no creation
    const n = rng.range(1, maxBlobs);
    f.blobVersionedHashes = Array.from({ length: n }, () => '0x01' + hexBytes(rng.bytes(31)).slice(2));
    f.maxFeePerBlobGas = BigInt(rng.pick([1, 2, 100]));
  }
  // Invalid on purpose, now and then.
  const bad = rng.int(30);
  let bump = true;
  if (bad === 0) { f.nonce = BigInt(w.nonces[s] + 1); bump = false; } // nonce too high
  else if (bad === 1 && w.nonces[s] > 0) { f.nonce = BigInt(w.nonces[s] - 1); bump = false; } // nonce too low
  else if (bad === 2) { f.value = 10n ** 24n; } // insufficient funds (still consumes nonce? no: rejected)
  else if (bad === 3) f.gasLimit = 20000n; // intrinsic gas too low
  else if (bad === 4 && type >= 2) { f.maxFeePerGas = baseFee - 1n; f.maxPriorityFeePerGas = 0n; } // fee cap below base fee
  else if (bad === 5 && type >= 2) { f.maxPriorityFeePerGas = f.maxFeePerGas + 1n; } // tip above fee cap
  const invalid = bad <= 5 && !(bad === 1 && w.nonces[s] === 0) && !((bad === 4 || bad === 5) && type < 2);
  if (invalid) bump = false;
  const tx = w.tx(s, { ...f, bump });
  return tx;
}

export default {
  name: 'cancun',
  fork: 'Cancun',
  count: 160,
  about: 'plain Cancun blocks (validates the harness): transfers, storage, logs, creations, EIP-1153/4788/4844/5656/6780, invalid txs',
  generate(rng) {
    const w = makeWorld(rng, 'Cancun');
    const env = baseEnv('Cancun', {
      baseFee: rng.pick([1, 7, 1000]),
      excessBlobGas: rng.pick([0, 0, 10_000_000]),
      gasLimit: rng.bool(0.1) ? 250_000 : 30_000_000,
      withdrawals: rng.bool(0.3) ? [{ index: '0x0', validatorIndex: '0x5', address: rng.pick([...w.addrs, C.counter, '0x' + hexBytes(rng.bytes(20)).slice(2)]), amount: hex(rng.range(0, 1e9)) }] : [],
    });
    if (rng.bool(0.1)) delete w.alloc[BEACON_ROOTS]; // EIP-4788: no code, the system call does nothing
    const n = rng.bool(0.5) ? 1 : rng.range(2, 8);
    const txs = [];
    for (let i = 0; i < n; i++) txs.push(randomTx(rng, w, env, rng.int(w.keys.length)));
    return { name: `${n} tx`, alloc: w.alloc, env, txs };
  },
};
