// Explicit access-list cases for tests/diff/bal.mjs (issue 18): blocks
// whose transactions revert, self-destruct, touch the precompiles or the
// system contracts, or access an account at the edge of the gas checks
// (EXTCODECOPY of zero bytes; a CALL* or SELFDESTRUCT that runs out of gas
// before or after its target is read), the places where what a list must hold
// is least obvious (a reverted write is a read; a destroyed account keeps
// only its balance change; a precompile or system contract touched is an
// account of the list). One family per kind, so the tally names the kind;
// a case is a pure function of (kind, seed, index) like the families'.
import { baseEnv, hexBytes, pad32, asm, concatHex, hex } from './lib.mjs';
import { makeWorld, fees, C, probe, HISTORY, BEACON_ROOTS, WITHDRAWAL_REQUESTS, CONSOLIDATION_REQUESTS } from './families/world.mjs';

const word = (v) => '0x' + pad32(v);
const PRECOMPILES_PRAGUE = Array.from({ length: 0x11 }, (_, i) => '0x' + pad32(i + 1).slice(24));
const precompiles = (fork) => (fork === 'Osaka' ? [...PRECOMPILES_PRAGUE, '0x' + pad32(0x100).slice(24)] : PRECOMPILES_PRAGUE);
const FRESH = '0x00000000000000000000000000000000ba100001'; // never in the pre-state

/** One transaction of `kind` from sender s (fields for world.tx). */
function txOf(kind, rng, w, fork, s) {
  const f = { type: 2, ...fees(rng, 2, 7n), gasLimit: 300000n, value: 0n };
  const k = rng.int(6);
  switch (kind) {
    case 'revert':
      if (k === 0) Object.assign(f, { to: C.reverter, value: BigInt(rng.range(0, 2)) }); // top level: SSTORE(1,1) undone
      else if (k === 1) Object.assign(f, { to: C.prober, data: probe(C.reverter, 100000) }); // inner revert, the prober's writes stay
      else if (k === 2) Object.assign(f, { to: C.burner, data: word(5000), gasLimit: BigInt(rng.range(40000, 120000)) }); // out of gas
      else if (k === 3) Object.assign(f, { to: C.store, data: concatHex(pad32(rng.range(1, 9)), pad32(rng.range(0, 3))), gasLimit: 23000n }); // out of gas in SSTORE
      else if (k === 4) Object.assign(f, { to: C.prober, data: probe(C.store, rng.pick([2300, 5000]), concatHex(pad32(9), pad32(3))) }); // inner out of gas
      else Object.assign(f, { to: C.factory, data: concatHex(pad32(rng.range(0, 1)), pad32(7), asm(1, 1, 'SSTORE', 'PUSH0', 'PUSH0', 'REVERT').slice(2)), value: 1n }); // reverted creation
      break;
    case 'selfdestruct': {
      const beneficiary = rng.pick([w.addrs[s], w.addrs[(s + 1) % w.addrs.length], FRESH, C.counter, C.destructor, '0x0000000000000000000000000000000000000001', HISTORY]);
      if (k <= 2) Object.assign(f, { to: C.destructor, data: word(BigInt(beneficiary)), value: BigInt(rng.range(0, 3)) }); // pre-existing: EIP-6780 sends only
      else if (k <= 4) {
        // created and destroyed in one transaction (EIP-6780 deletes it)
        const init = asm({ raw: '73' + beneficiary.slice(2) }, 'SELFDESTRUCT');
        Object.assign(f, { to: C.factory, data: concatHex(pad32(k - 3), pad32(rng.range(0, 1000)), init.slice(2)), value: BigInt(rng.range(0, 5)) });
      } else Object.assign(f, { to: C.prober, data: probe(C.destructor, 50000, pad32(BigInt(beneficiary))) }); // from an inner call
      break;
    }
    case 'precompile': {
      const p = rng.pick(precompiles(fork));
      const data = hexBytes(rng.bytes(rng.pick([0, 32, 64, 128, 160, 192, 256])));
      if (k <= 2) Object.assign(f, { to: p, data, value: BigInt(rng.range(0, 1)), gasLimit: rng.pick([300000n, 22000n]) });
      else Object.assign(f, { to: rng.pick([C.prober, C.staticProber, C.delegateProber]), data: probe(p, rng.pick([100, 100000]), data) });
      break;
    }
    case 'edge': {
      // EDGE[k] with word 0 = the target: an access the spec makes, or
      // one it does not make because the gas check comes first
      const target = rng.pick([FRESH, C.counter, w.addrs[(s + 1) % w.addrs.length], '0x0000000000000000000000000000000000000002']);
      const e = rng.int(EDGE.length);
      if (rng.bool(0.5)) Object.assign(f, { to: EDGE[e].addr, data: word(BigInt(target)) });
      else Object.assign(f, { to: C.prober, data: probe(EDGE[e].addr, rng.pick([2200, 2700, 6000, 8000, 30000]), pad32(BigInt(target))) });
      break;
    }
    case 'system': {
      const t = rng.pick([HISTORY, BEACON_ROOTS, WITHDRAWAL_REQUESTS, CONSOLIDATION_REQUESTS]);
      const payload =
        t === HISTORY ? pad32(BLOCK_NUMBER - rng.range(1, 3)) :
        t === BEACON_ROOTS ? pad32(rng.pick([1_800_000_000, 1_799_999_988, 0])) :
        t === WITHDRAWAL_REQUESTS ? hexBytes(rng.bytes(rng.pick([0, 76]))).slice(2) : hexBytes(rng.bytes(rng.pick([0, 116]))).slice(2);
      if (k <= 3) Object.assign(f, { to: t, data: '0x' + payload, value: BigInt(rng.range(0, 2)) });
      else Object.assign(f, { to: C.prober, data: probe(t, 100000, '0x' + payload) });
      break;
    }
  }
  return f;
}

const BLOCK_NUMBER = 300; // baseEnv's

// Contracts for the 'edge' kind: word 0 of the calldata is the target.
const callOp = (op, outLen) => asm(
  'PUSH0', outLen, 'PUSH0', 'PUSH0', ...(op === 'CALL' || op === 'CALLCODE' ? ['PUSH0'] : []), 'PUSH0', 'CALLDATALOAD', 'GAS', op, 'STOP');
const EDGE = [
  { code: asm('PUSH0', 'PUSH0', 'PUSH0', 'PUSH0', 'CALLDATALOAD', 'EXTCODECOPY', 'STOP') }, // zero bytes copied
  { code: asm(32, 'PUSH0', 'PUSH0', 'PUSH0', 'CALLDATALOAD', 'EXTCODECOPY', 'STOP') },
  { code: callOp('CALL', 0x100000) }, // memory expansion out of gas
  { code: callOp('CALLCODE', 0x100000) },
  { code: callOp('DELEGATECALL', 0x100000) },
  { code: callOp('STATICCALL', 0x100000) },
  { code: callOp('CALL', 0) },
  { code: callOp('STATICCALL', 0) },
  { code: asm('PUSH0', 'CALLDATALOAD', 'SELFDESTRUCT') },
  { code: asm('PUSH0', 'CALLDATALOAD', 'EXTCODESIZE', 'PUSH0', 'CALLDATALOAD', 'BALANCE', 'PUSH0', 'CALLDATALOAD', 'EXTCODEHASH', 'STOP') },
].map((e, i) => ({ ...e, addr: '0x00000000000000000000000000000000ed9e' + i.toString(16).padStart(4, '0') }));

function family(kind, fork) {
  return {
    name: `bal-${kind}-${fork.toLowerCase()}`,
    fork,
    count: 100,
    generate(rng) {
      const w = makeWorld(rng, fork);
      if (kind === 'edge') for (const e of EDGE) w.alloc[e.addr] = { balance: '0x' + (rng.range(0, 3)).toString(16), nonce: '0x1', code: e.code };
      const env = baseEnv(fork, { withdrawals: rng.bool(0.2) ? [{ index: '0x0', validatorIndex: '0x1', address: rng.pick([C.destructor, HISTORY, FRESH]), amount: hex(rng.range(1, 3)) }] : [] });
      const n = rng.range(1, 5);
      const txs = [];
      for (let i = 0; i < n; i++) {
        const s = rng.int(w.keys.length);
        txs.push(w.tx(s, txOf(kind, rng, w, fork, s)));
      }
      return { name: `${kind}, ${n} tx`, alloc: w.alloc, env, txs };
    },
  };
}

export const BAL_CASES = ['revert', 'selfdestruct', 'precompile', 'system', 'edge'].flatMap((k) => [family(k, 'Prague'), family(k, 'Osaka')]);
