// EIP-2537 BLS12-381 precompiles (0x0b..0x11) called through the prober,
// whose log carries the output: valid points (random multiples of the
// generators, infinity), points off the curve, on the curve but outside
// the subgroup, non-canonical field elements (>= p, nonzero top 16 bytes),
// wrong input lengths, empty MSM/pairing inputs, and gas at, below and
// above what the call needs.
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { baseEnv, concatHex, pad32, padHex } from '../lib.mjs';
import { makeWorld, fees, C, probe } from './world.mjs';

const { Fp, Fp2, Fr } = bls12_381.fields;
const P = Fp.ORDER;
const R = Fr.ORDER;
const G1 = bls12_381.G1.Point;
const G2 = bls12_381.G2.Point;
const fp = (v) => padHex(v, 64); // EIP-2537: 64-byte big-endian field element (16 zero bytes + 48)

function encG1(pt) {
  if (pt.equals(G1.ZERO)) return '00'.repeat(128);
  const a = pt.toAffine();
  return fp(a.x) + fp(a.y);
}
function encG2(pt) {
  if (pt.equals(G2.ZERO)) return '00'.repeat(256);
  const a = pt.toAffine();
  return fp(a.x.c0) + fp(a.x.c1) + fp(a.y.c0) + fp(a.y.c1);
}

/** A point on E1 (y^2 = x^3 + 4) that is very likely outside the r-torsion subgroup. */
function g1OffSubgroup(rng) {
  for (;;) {
    const x = Fp.create(rng.big(384));
    const y2 = Fp.add(Fp.pow(x, 3n), 4n);
    let y;
    try {
      y = Fp.sqrt(y2);
    } catch {
      continue;
    }
    if (y === undefined || !Fp.eql(Fp.sqr(y), y2)) continue;
    return fp(x) + fp(y);
  }
}
function g2OffSubgroup(rng) {
  const b = Fp2.fromBigTuple([4n, 4n]); // E2: y^2 = x^3 + 4(1 + u)
  for (;;) {
    const x = Fp2.fromBigTuple([Fp.create(rng.big(384)), Fp.create(rng.big(384))]);
    const y2 = Fp2.add(Fp2.pow(x, 3n), b);
    let y;
    try {
      y = Fp2.sqrt(y2);
    } catch {
      continue;
    }
    if (y === undefined || !Fp2.eql(Fp2.sqr(y), y2)) continue;
    return fp(x.c0) + fp(x.c1) + fp(y.c0) + fp(y.c1);
  }
}

/** A G1 point encoding, good or broken in one of several ways. */
function g1(rng, mode) {
  const k = rng.bool(0.1) ? 0n : rng.big(255) % R;
  const pt = k === 0n ? G1.ZERO : G1.BASE.multiply(k);
  let h = encG1(pt);
  if (mode === 'offCurve') h = h.slice(0, 254) + ((parseInt(h.slice(254), 16) ^ 1).toString(16).padStart(2, '0'));
  else if (mode === 'nonCanonical' && k !== 0n) h = fp(pt.toAffine().x + P) + h.slice(128); // x + p: same residue, not canonical
  else if (mode === 'topBytes') h = '01' + h.slice(2);
  else if (mode === 'subgroup') h = g1OffSubgroup(rng);
  return h;
}
function g2(rng, mode) {
  const k = rng.bool(0.1) ? 0n : rng.big(255) % R;
  const pt = k === 0n ? G2.ZERO : G2.BASE.multiply(k);
  let h = encG2(pt);
  if (mode === 'offCurve') h = h.slice(0, 510) + ((parseInt(h.slice(510), 16) ^ 1).toString(16).padStart(2, '0'));
  else if (mode === 'nonCanonical' && k !== 0n) h = fp(pt.toAffine().x.c0) + fp(pt.toAffine().x.c1 + P) + h.slice(256); // x.c1 + p
  else if (mode === 'topBytes') h = h.slice(0, 128) + '01' + h.slice(130);
  else if (mode === 'subgroup') h = g2OffSubgroup(rng);
  return h;
}
const scalar = (rng) => pad32(rng.pick([0n, 1n, 2n, R - 1n, R, R + 1n, 2n ** 256n - 1n, rng.big(256), rng.big(64)]));
const mode = (rng) => (rng.bool(0.85) ? 'ok' : rng.pick(['offCurve', 'nonCanonical', 'topBytes', 'subgroup']));

/** Input for precompile `pc` (0x0b..0x11). */
function input(rng, pc) {
  switch (pc) {
    case 0x0b: return g1(rng, mode(rng)) + g1(rng, mode(rng));
    case 0x0d: return g2(rng, mode(rng)) + g2(rng, mode(rng));
    case 0x0c: { const k = rng.pick([0, 1, 1, 2, 3, 8]); let s = ''; for (let i = 0; i < k; i++) s += g1(rng, mode(rng)) + scalar(rng); return s; }
    case 0x0e: { const k = rng.pick([0, 1, 1, 2, 3]); let s = ''; for (let i = 0; i < k; i++) s += g2(rng, mode(rng)) + scalar(rng); return s; }
    case 0x0f: {
      const k = rng.pick([0, 1, 2, 2, 3]);
      if (k === 2 && rng.bool(0.5)) {
        // e(aG1, bG2) * e(-abG1, G2) == 1: a pairing that checks out
        const a = rng.big(128) + 1n, b = rng.big(128) + 1n;
        return encG1(G1.BASE.multiply(a)) + encG2(G2.BASE.multiply(b)) + encG1(G1.BASE.multiply((a * b) % R).negate()) + encG2(G2.BASE);
      }
      let s = ''; for (let i = 0; i < k; i++) s += g1(rng, mode(rng)) + g2(rng, mode(rng)); return s;
    }
    case 0x10: return fp(rng.pick([0n, 1n, P - 1n, P, P + 1n, rng.big(381) % P, rng.big(381)]));
    case 0x11: return fp(rng.pick([0n, P - 1n, P, rng.big(381) % P])) + fp(rng.pick([0n, 1n, P, rng.big(381) % P]));
  }
}

export default {
  name: 'bls',
  fork: 'Prague',
  count: 160,
  about: 'EIP-2537 BLS12-381 precompiles: valid, off-curve, off-subgroup, non-canonical, bad lengths, gas edges',
  generate(rng) {
    const w = makeWorld(rng, 'Prague', { nkeys: 2 });
    const env = baseEnv('Prague');
    const n = rng.bool(0.6) ? 1 : rng.range(2, 4);
    const txs = [];
    for (let t = 0; t < n; t++) {
      const pc = rng.range(0x0b, 0x11);
      let data = input(rng, pc);
      if (rng.bool(0.08)) data = data.slice(0, Math.max(0, data.length - 2 * rng.range(1, 40))); // wrong length
      else if (rng.bool(0.04)) data += '00';
      const gas = rng.bool(0.75) ? 0x1000000 : rng.pick([375, 600, 12000, 23000, 37700, 100000]);
      const s = rng.int(w.keys.length);
      txs.push(w.tx(s, { type: 2, ...fees(rng, 2, 7n), gasLimit: 3_000_000n, to: rng.bool(0.85) ? C.prober : C.staticProber, data: probe(pc, gas, '0x' + data) }));
    }
    return { name: `${n} tx`, alloc: w.alloc, env, txs };
  },
};
