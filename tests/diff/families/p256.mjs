// EIP-7951 P256VERIFY (precompile 0x100, Osaka): valid signatures (low
// and high s), a wrong hash, r or s zero or >= n, a public key off the
// curve, at infinity or with a coordinate >= p, inputs of the wrong
// length, and gas just below/at the price.
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { baseEnv, pad32, hexBytes } from '../lib.mjs';
import { makeWorld, fees, C, probe } from './world.mjs';

const N = p256.Point.CURVE().n;
const P = p256.Point.CURVE().p;

function input(rng) {
  const sk = p256.utils.randomSecretKey(rng.bytes(48));
  const msg = rng.bytes(rng.range(0, 64));
  const h = sha256(msg);
  const sig = p256.Signature.fromBytes(p256.sign(h, sk, { prehash: false, lowS: false, format: 'compact' }), 'compact');
  const pub = p256.Point.fromBytes(p256.getPublicKey(sk, false)).toAffine();
  let f = { h: BigInt(hexBytes(h)), r: sig.r, s: sig.s, x: pub.x, y: pub.y };
  const kind = rng.pick(['ok', 'ok', 'ok', 'ok', 'highS', 'hash', 'r0', 's0', 'rN', 'sN', 'offCurve', 'inf', 'xP', 'swap', 'len']);
  if (kind === 'highS') f.s = N - f.s; // EIP-7951: no malleability check, still valid
  else if (kind === 'hash') f.h ^= 1n;
  else if (kind === 'r0') f.r = 0n;
  else if (kind === 's0') f.s = 0n;
  else if (kind === 'rN') f.r = f.r + N < 2n ** 256n ? f.r + N : N;
  else if (kind === 'sN') f.s = N;
  else if (kind === 'offCurve') f.y ^= 1n;
  else if (kind === 'inf') { f.x = 0n; f.y = 0n; }
  else if (kind === 'xP') f.x = f.x + P < 2n ** 256n ? f.x + P : P;
  else if (kind === 'swap') [f.r, f.s] = [f.s, f.r];
  let data = pad32(f.h) + pad32(f.r) + pad32(f.s) + pad32(f.x) + pad32(f.y);
  if (kind === 'len') data = rng.bool(0.5) ? data.slice(0, -2) : data + '00';
  return { data: '0x' + data, kind };
}

export default {
  name: 'p256',
  fork: 'Osaka',
  count: 120,
  about: 'EIP-7951 P256VERIFY: valid/high-s signatures, bad r/s, keys off curve or at infinity, bad lengths, gas edges',
  generate(rng) {
    const w = makeWorld(rng, 'Osaka', { nkeys: 2 });
    const env = baseEnv('Osaka');
    const n = rng.bool(0.6) ? 1 : rng.range(2, 4);
    const txs = [];
    for (let t = 0; t < n; t++) {
      const { data } = input(rng);
      const gas = rng.bool(0.8) ? 100000 : rng.pick([6899, 6900, 3450, 0]);
      txs.push(w.tx(rng.int(2), { type: 2, ...fees(rng, 2, 7n), gasLimit: 300000n, to: rng.bool(0.8) ? C.prober : C.staticProber, data: probe(0x100, gas, data) }));
    }
    return { name: `${n} tx`, alloc: w.alloc, env, txs };
  },
};
