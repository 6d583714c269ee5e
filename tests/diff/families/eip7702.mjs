// EIP-7702 set-code transactions (type 4): sponsored and self-sponsored
// delegations, invalid authorizations (wrong chain id, wrong nonce, bad
// or high-s signatures, nonce 2^64-1, authority with code), delegation to
// address zero (clearing), several authorizations for one authority, and
// calls into delegated accounts (CALL, STATICCALL, DELEGATECALL,
// EXTCODESIZE/HASH through the env probe) in the same and later
// transactions of the block.
import { baseEnv, ETH, pad32, concatHex, hexBytes, hex, account, signAuth, keyAddress, makeKey } from '../lib.mjs';
import { makeWorld, fees, C, probe } from './world.mjs';

const SECP_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const delegationCode = (addr) => '0xef0100' + addr.slice(2);

// EXTCODESIZE/EXTCODEHASH/EXTCODECOPY of calldata word 0 into slots 1..3
const CODE_INSPECTOR = '0x00000000000000000000000000000000c00000a1';
import { asm } from '../lib.mjs';
const inspectorCode = asm(
  'PUSH0', 'CALLDATALOAD', 'EXTCODESIZE', 1, 'SSTORE',
  'PUSH0', 'CALLDATALOAD', 'EXTCODEHASH', 2, 'SSTORE',
  0x20, 'PUSH0', 'PUSH0', 'PUSH0', 'CALLDATALOAD', 'EXTCODECOPY', 'PUSH0', 'MLOAD', 3, 'SSTORE',
  'PUSH0', 'CALLDATALOAD', 'BALANCE', 4, 'SSTORE', 'STOP',
);

/** An authorization, possibly broken on purpose; returns the JSON tuple. */
function authorization(rng, key, target, nonce, { kind }) {
  let chainId = 1;
  if (kind === 'chain0') chainId = 0; // EIP-7702: chain id 0 is valid on any chain
  if (kind === 'wrongChain') chainId = rng.pick([5, 2, 0x1_0000_0001]);
  if (kind === 'wrongNonce') nonce = nonce + rng.pick([1, 2]);
  if (kind === 'maxNonce') nonce = 2n ** 64n - 1n; // EIP-7702: nonce must be < 2^64 - 1
  const a = signAuth(key, { chainId, address: target, nonce: BigInt(nonce) });
  if (kind === 'highS') {
    // same signer, s' = n - s and the other parity: EIP-7702 requires s <= n/2
    a.s = hex(SECP_N - BigInt(a.s));
    a.yParity = BigInt(a.yParity) === 0n ? '0x1' : '0x0';
  } else if (kind === 'badSig') {
    a.r = hex(BigInt(a.r) ^ 0xffffn); // recovers some other key, or none
  } else if (kind === 'badParity') {
    a.yParity = BigInt(a.yParity) === 0n ? '0x1' : '0x0';
  }
  return a;
}

function eip7702Family(name, fork, count, about) {
  return {
  name,
  fork,
  count,
  about,
  generate(rng) {
    const w = makeWorld(rng, fork, { nkeys: 5 });
    w.alloc[CODE_INSPECTOR] = account({ nonce: 1, code: inspectorCode });
    const env = baseEnv(fork, { baseFee: rng.pick([1, 7, 50]) });
    // Authorities: some of the funded senders, some fresh keys (no account).
    const extra = [makeKey(rng), makeKey(rng)];
    const authKeys = [...w.keys, ...extra];
    const authAddrs = authKeys.map(keyAddress);
    const authNonce = authKeys.map((_, i) => (i < w.keys.length ? w.nonces[i] : 0));
    // Pre-existing delegations and a contract-like authority.
    if (rng.bool(0.4)) w.alloc[authAddrs[1]].code = delegationCode(rng.pick([C.counter, C.store, C.prober]));
    if (rng.bool(0.15)) w.alloc[authAddrs[2]].code = '0x6001600055'; // an authority with real code: skipped
    const targets = [C.counter, C.store, C.prober, C.reverter, C.transient, C.burner, '0x0000000000000000000000000000000000000000', '0x0000000000000000000000000000000000000000', '0x0000000000000000000000000000000000000004', authAddrs[1]];
    const n = rng.bool(0.4) ? 1 : rng.range(2, 5);
    const txs = [];
    for (let t = 0; t < n; t++) {
      const s = rng.int(w.keys.length);
      const baseFee = BigInt(env.currentBaseFee);
      if (t > 0 && rng.bool(0.4)) {
        // A call into a (possibly) delegated account.
        const a = rng.pick(authAddrs);
        const how = rng.int(5);
        let f;
        if (how === 0) f = { to: a, data: concatHex(pad32(rng.range(0, 5)), pad32(rng.range(1, 3))) };
        else if (how === 1) f = { to: C.prober, data: probe(a, 80000, concatHex(pad32(3), pad32(4))) };
        else if (how === 2) f = { to: C.staticProber, data: probe(a, 80000, '0x') };
        else if (how === 3) f = { to: C.delegateProber, data: probe(a, 80000, concatHex(pad32(BigInt(C.counter)), pad32(30000))) };
        else f = { to: CODE_INSPECTOR, data: '0x' + pad32(BigInt(a)) };
        txs.push(w.tx(s, { type: 2, ...fees(rng, 2, baseFee), gasLimit: 200000n, value: BigInt(rng.range(0, 3)), ...f }));
        continue;
      }
      const count = rng.pick([1, 1, 1, 2, 3]);
      const list = [];
      let selfSponsored = false;
      for (let k = 0; k < count; k++) {
        let ai = rng.int(authKeys.length);
        if (rng.bool(0.25)) { ai = s; selfSponsored = true; }
        const kind = rng.pick(['ok', 'ok', 'ok', 'ok', 'chain0', 'wrongChain', 'wrongNonce', 'badSig', 'highS', 'badParity', 'maxNonce']);
        // Self-sponsored: the sender's nonce is bumped before authorizations are processed.
        const expect = ai === s ? authNonce[ai] + 1 : authNonce[ai];
        const a = authorization(rng, authKeys[ai], rng.pick(targets), expect, { kind });
        list.push(a);
        if ((kind === 'ok' || kind === 'chain0') && !(ai === 2 && w.alloc[authAddrs[2]]?.code === '0x6001600055')) authNonce[ai] = expect + 1; // probably applied
      }
      const f = { type: 4, ...fees(rng, 2, baseFee), gasLimit: BigInt(rng.pick([100000, 200000, 60000])), authorizationList: list };
      const to = rng.pick([...authAddrs, C.counter, C.prober, rng.pick(authAddrs)]);
      f.to = to;
      f.value = BigInt(rng.range(0, 2));
      f.data = to === C.prober ? probe(rng.pick(authAddrs), 60000, concatHex(pad32(1), pad32(2))) : concatHex(pad32(rng.range(0, 9)), pad32(rng.range(1, 4)));
      if (rng.bool(0.04)) f.authorizationList = []; // EIP-7702: empty list is invalid
      if (rng.bool(0.03)) delete f.to; // EIP-7702: no creation
      const before = w.nonces[s];
      txs.push(w.tx(s, f));
      if (selfSponsored) authNonce[s] = Math.max(authNonce[s], w.nonces[s]);
      authNonce[s] = Math.max(authNonce[s], before + 1);
      for (let i = 0; i < w.keys.length; i++) w.nonces[i] = Math.max(w.nonces[i], authNonce[i]);
    }
    return { name: `${n} tx`, alloc: w.alloc, env, txs };
  },
};
}

export default eip7702Family('eip7702', 'Prague', 160, 'EIP-7702 delegations: sponsored/self-sponsored, invalid authorizations, clearing, calls into delegated accounts');
// EIP-8037 (Amsterdam): an authorization's account write and state gas are charged as it is applied; the
// top-level call pays for a delegated recipient's delegate (EIP-2780)
export const eip7702Amsterdam = {
  ...eip7702Family('eip7702-amsterdam', 'Amsterdam', 160, 'the EIP-7702 family under Amsterdam: authorizations charged as applied (EIP-8037), the delegate\'s access at the top (EIP-2780)'),
  // @ethereumjs 10.1.3's runTx rolls an authorization that runs out of gas (EIP-8037) back in the state
  // but not in its access list (the nested checkpoint is the journal's alone): its list then names a nonce
  // and code that the block does not have. parevm lists what the state has.
  balSkip: 'an authorization out of gas stays in @ethereumjs\'s list (runTx reverts the journal, not the list)',
};
