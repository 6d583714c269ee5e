// EIP-7685 execution-layer requests: deposits (EIP-6110, logs of the
// deposit contract, valid and malformed layouts, the topic logged by
// another contract, a deposit in a reverted call), withdrawal requests
// (EIP-7002) and consolidation requests (EIP-7251) queued by user calls to
// the system contracts in the pre-state and dequeued by the end-of-block
// system calls; blocks with none of them (the empty requests hash).
import { baseEnv, pad32, concatHex, hexBytes, padHex, asm, account } from '../lib.mjs';
import { makeWorld, fees, C, DEPOSIT_CONTRACT, DEPOSIT_TOPIC, WITHDRAWAL_REQUESTS, CONSOLIDATION_REQUESTS, BUILDER_DEPOSITS, BUILDER_EXITS, probe } from './world.mjs';

const word = (n) => pad32(n);
/** ABI encoding of DepositEvent(pubkey, withdrawal_credentials, amount, signature, index). */
function depositData(rng, { bad = null } = {}) {
  const field = (bytes) => word(bytes.length) + hexBytes(bytes).slice(2).padEnd(Math.ceil(bytes.length / 32) * 64, '0');
  const amount = new Uint8Array(8), index = new Uint8Array(8);
  new DataView(amount.buffer).setBigUint64(0, BigInt(rng.range(1, 64)) * 10n ** 9n, true); // little-endian gwei, as the contract logs it
  new DataView(index.buffer).setBigUint64(0, BigInt(rng.range(0, 1000)), true);
  const parts = [rng.bytes(48), rng.bytes(32), amount, rng.bytes(96), index];
  if (bad === 'pubkeyLength') parts[0] = rng.bytes(47);
  const bodies = parts.map(field);
  let offsets = [];
  let at = 5 * 32;
  for (const b of bodies) { offsets.push(at); at += b.length / 2; }
  if (bad === 'offset') offsets[1] += 32;
  let h = offsets.map(word).join('') + bodies.join('');
  if (bad === 'short') h = h.slice(0, h.length - 64);
  if (bad === 'long') h += word(0);
  return '0x' + h;
}

// A contract that emits the deposit topic itself (not the deposit contract): ignored.
const FAKE_DEPOSITOR = '0x00000000000000000000000000000000c00000d1';
const fakeDepositorCode = asm('CALLDATASIZE', 'PUSH0', 'PUSH0', 'CALLDATACOPY', { raw: '7f' + DEPOSIT_TOPIC.slice(2) }, 'CALLDATASIZE', 'PUSH0', 'LOG1', 'STOP');

export default requestsFamily('requests', 'Prague', 'EIP-7685 requests: EIP-6110 deposit logs (valid, malformed), EIP-7002/7251 queues dequeued by system calls');
// EIP-8282 (Amsterdam): two more queues, builder deposits and exits
export const requests8282 = requestsFamily('requests8282', 'BPO2+8282', 'EIP-8282 (Amsterdam): builder deposit and exit requests beside the others');

function requestsFamily(name, fork, about) {
  const builders = fork.includes('8282');
  return {
  name,
  fork,
  count: 120,
  about,
  generate(rng) {
    const w = makeWorld(rng, fork, { nkeys: 3 });
    w.alloc[FAKE_DEPOSITOR] = account({ nonce: 1, code: fakeDepositorCode });
    // Requests left queued from an earlier block.
    if (rng.bool(0.2)) w.alloc[WITHDRAWAL_REQUESTS].storage = { ['0x' + pad32(0)]: '0x' + pad32(1), ['0x' + pad32(1)]: '0x' + pad32(BigInt('0x' + hexBytes(rng.bytes(32)).slice(2))) };
    const env = baseEnv(fork);
    const n = rng.bool(0.3) ? 1 : rng.range(2, 6);
    const txs = [];
    for (let t = 0; t < n; t++) {
      const s = rng.int(w.keys.length);
      const f = { type: 2, ...fees(rng, 2, 7n), gasLimit: 300000n, value: 0n };
      const k = rng.int(10);
      if (k <= 2) { f.to = DEPOSIT_CONTRACT; f.data = depositData(rng, { bad: rng.bool(0.08) ? rng.pick(['pubkeyLength', 'offset', 'short', 'long']) : null }); f.value = BigInt(rng.range(0, 5)); }
      else if (k === 3) { f.to = FAKE_DEPOSITOR; f.data = depositData(rng); }
      else if (k === 4) { f.to = C.prober; f.data = probe(DEPOSIT_CONTRACT, rng.pick([100000, 3000]), depositData(rng)); } // may run out of gas: no log
      else if (k <= 6) { f.to = WITHDRAWAL_REQUESTS; f.data = hexBytes(rng.bytes(rng.bool(0.9) ? 76 : 75)); f.value = BigInt(rng.range(0, 3)); }
      else if (k <= 8) { f.to = CONSOLIDATION_REQUESTS; f.data = hexBytes(rng.bytes(rng.bool(0.9) ? 116 : 117)); f.value = BigInt(rng.range(0, 3)); }
      else { f.to = C.counter; }
      if (builders && rng.bool(0.4)) {
        const exit = rng.bool(0.5);
        f.to = exit ? BUILDER_EXITS : BUILDER_DEPOSITS;
        f.data = hexBytes(rng.bytes((exit ? 56 : 88) + (rng.bool(0.9) ? 0 : 1)));
      }
      txs.push(w.tx(s, f));
    }
    // (A builder request contract without code makes the block invalid
    // for parevm, as for the EIP-7002/7251 ones; the reference's block
    // builder answers an empty request there, so no case drops one.)
    return { name: `${n} tx`, alloc: w.alloc, env, txs };
  },
  };
}
