// EIP-7623 calldata floor: transactions whose calldata makes the floor
// (21000 + 10 * tokens, tokens = zero bytes + 4 * nonzero bytes) compete
// with the standard intrinsic and execution cost; gas limits just below,
// at and above max(intrinsic, floor); transfers, calls that execute or
// revert, refunds, creations and access lists; several per block so that
// cumulative gas carries the floor.
import { baseEnv, pad32, concatHex, hexBytes, deployCode } from '../lib.mjs';
import { makeWorld, fees, C } from './world.mjs';
import { childRuntime } from './world.mjs';

/** Calldata of `len` bytes with about `nz` of them nonzero. */
function calldata(rng, len, nzShare) {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = rng.bool(nzShare) ? rng.range(1, 255) : 0;
  return b;
}

// The floor's rules: EIP-7623 (Prague), EIP-7976 (4 tokens a byte at 16
// each), EIP-7981 (the access list's bytes count, and cost 3000 an item).
const PRAGUE = { perToken: 10n, flat: false, listBytes: false };
const EIP7976 = { perToken: 16n, flat: true, listBytes: false };
const EIP7981 = { perToken: 16n, flat: true, listBytes: true };

function costs(data, { create = false, accessList = [] } = {}, rules = PRAGUE) {
  let zeros = 0, nonzero = 0;
  for (const x of data) x === 0 ? zeros++ : nonzero++;
  let tokens = BigInt(zeros + 4 * nonzero);
  let intrinsic = 21000n + 4n * tokens; // EIP-2028 16/4 per byte == 4 per token
  if (rules.flat) tokens = 4n * BigInt(data.length);
  if (create) intrinsic += 32000n + 2n * BigInt(Math.ceil(data.length / 32)); // EIP-3860 initcode words
  for (const e of accessList) {
    const keys = BigInt(e.storageKeys.length);
    if (!rules.listBytes) {
      intrinsic += 2400n + 1900n * keys;
      continue;
    }
    const listTokens = 4n * (20n + 32n * keys);
    intrinsic += 3000n + 3000n * keys + rules.perToken * listTokens;
    tokens += listTokens;
  }
  const floor = 21000n + rules.perToken * tokens; // EIP-7623
  return { intrinsic, floor };
}

/** The family for one set of floor rules. */
function floorFamily(name, fork, rules, about) {
  return {
    name,
    fork,
    count: 120,
    about,
    generate: (rng) => generate(rng, fork, rules),
  };
}

export default floorFamily('floor', 'Prague', PRAGUE, 'EIP-7623 calldata floor: gas limits around max(intrinsic, floor), execution vs floor, refunds, creations');
export const floor7976 = floorFamily('floor7976', 'BPO2+7976', EIP7976, 'EIP-7976 (Amsterdam): the floor at 16 per token, 4 tokens per byte');
export const floor7778 = floorFamily('floor7778', 'BPO2+7778', PRAGUE, 'EIP-7778 (Amsterdam): the block counts gas before refunds; blocks near their gas limit');
export const floor8038 = floorFamily('floor8038', 'BPO2+7976+7981+8038', EIP7981, 'EIP-8038 (Amsterdam) after EIP-7981: access list items at 2900 and 2000, creations at 12000');
export const floor7981 = floorFamily('floor7981', 'BPO2+7976+7981', EIP7981, 'EIP-7981 (Amsterdam): access lists priced 3000 an item plus their bytes, in the floor too');

function generate(rng, fork, rules) {
  {
    const w = makeWorld(rng, fork, { nkeys: 3 });
    const env = baseEnv(fork, { baseFee: rng.pick([1, 7]), gasLimit: rng.bool(0.15) ? 400_000 : 30_000_000 });
    const n = rng.bool(0.4) ? 1 : rng.range(2, 6);
    const txs = [];
    for (let t = 0; t < n; t++) {
      const s = rng.int(w.keys.length);
      const type = rng.pick([0, 1, 2, 2]);
      const kind = rng.int(6);
      let data = calldata(rng, rng.pick([0, 1, 31, 64, 200, 1000, 4096, 20000]), rng.pick([0, 0.1, 0.5, 0.9, 1]));
      const f = { type, ...fees(rng, type, BigInt(env.currentBaseFee)), value: 0n };
      let exec = 0n;
      if (kind === 0) f.to = rng.pick(w.addrs);
      else if (kind === 1) { f.to = C.counter; exec = 30000n; }
      else if (kind === 2) { f.to = C.reverter; exec = 25000n; }
      else if (kind === 3) { f.to = C.store; data = new Uint8Array([...calldata(rng, 64, 0.05), ...data]); data[31] = 0; data[63] = rng.pick([1, 2]); exec = 10000n; } // clears a slot: refund
      else if (kind === 4) { f.to = C.burner; data = new Uint8Array([...new Uint8Array(31), rng.range(1, 6), ...data]); exec = 150000n; }
      else { data = new Uint8Array([...Buffer.from(deployCode(childRuntime).slice(2), 'hex'), ...data.slice(0, 2000)]); exec = 60000n; }
      if (type >= 1 && rng.bool(0.3)) f.accessList = [{ address: C.store, storageKeys: ['0x' + pad32(1)] }];
      if (rules.listBytes && type >= 1 && rng.bool(0.3)) f.accessList = [...(f.accessList ?? []), { address: rng.pick(w.addrs), storageKeys: Array.from({ length: rng.range(0, 4) }, () => '0x' + pad32(rng.big(256))) }];
      const { intrinsic, floor } = costs(data, { create: !f.to, accessList: f.accessList ?? [] }, rules);
      const need = intrinsic > floor ? intrinsic : floor;
      f.gasLimit = rng.pick([need - 1n, need, need + 1n, need + exec, intrinsic + exec, floor + exec / 2n, need + 5000n]);
      if (f.gasLimit < 21000n) f.gasLimit = 21000n;
      f.data = hexBytes(data);
      txs.push(w.tx(s, { ...f, bump: f.gasLimit >= need }));
    }
    return { name: `${n} tx`, alloc: w.alloc, env, txs };
  }
}
