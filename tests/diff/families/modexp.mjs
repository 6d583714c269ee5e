// MODEXP (0x05) under Osaka: EIP-7823 bounds (each of base, exponent and
// modulus length at most 1024 bytes; 1025 fails) and EIP-7883 pricing
// (minimum 500, doubled complexity above 32 bytes, exponent iteration
// count x16) with gas just around the price; zero-length and zero-valued
// operands, exponents longer than 32 bytes, declared lengths larger than
// the data (zero padding).
import { baseEnv, pad32, hexBytes } from '../lib.mjs';
import { makeWorld, fees, C, probe } from './world.mjs';

function input(rng) {
  const len = () => (rng.bool(0.75) ? rng.pick([0, 1, 2, 16, 31, 32, 33, 48, 64, 100, 256, rng.range(0, 80)]) : rng.pick([512, 1023, 1024, 1024, 1025, rng.range(0, 1100)]));
  let bl = len(), el = rng.bool(0.8) ? rng.pick([0, 1, 2, 3, 8, 31, 32, 33, 40, 64]) : rng.pick([rng.range(0, 1025), 1024, 1025]), ml = len();
  if (rng.bool(0.05)) bl = rng.pick([2 ** 32, 2 ** 40]); // absurd declared length
  const base = rng.bytes(Math.min(bl, 1100)), exp = rng.bytes(Math.min(el, 1100)), mod = rng.bytes(Math.min(ml, 1100));
  if (rng.bool(0.1) && exp.length) exp.fill(0);
  if (rng.bool(0.1) && mod.length) mod.fill(0);
  if (rng.bool(0.2) && exp.length > 1) exp[0] = 0;
  let data = pad32(bl) + pad32(el) + pad32(ml) + hexBytes(base).slice(2) + hexBytes(exp).slice(2) + hexBytes(mod).slice(2);
  if (rng.bool(0.15)) data = data.slice(0, Math.max(0, data.length - 2 * rng.range(1, 64))); // short: zero padded
  return '0x' + data;
}

export default {
  name: 'modexp',
  fork: 'Osaka',
  count: 120,
  about: 'MODEXP: EIP-7823 1024-byte bounds, EIP-7883 pricing, gas edges',
  generate(rng) {
    const w = makeWorld(rng, 'Osaka', { nkeys: 2 });
    const env = baseEnv('Osaka');
    const n = rng.bool(0.6) ? 1 : rng.range(2, 4);
    const txs = [];
    for (let t = 0; t < n; t++) {
      const gas = rng.bool(0.5) ? 8_000_000 : rng.pick([499, 500, 501, 1000, 2000, 5000, 20000, 100000, 1_000_000]);
      txs.push(w.tx(rng.int(2), { type: 2, ...fees(rng, 2, 7n), gasLimit: 10_000_000n, to: C.prober, data: probe(5, gas, input(rng)) }));
    }
    return { name: `${n} tx`, alloc: w.alloc, env, txs };
  },
};
