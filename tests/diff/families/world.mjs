// The standard pre-state every family starts from: funded senders, a set
// of contracts written for the harness (tests/diff/README.md lists them),
// and our own stand-ins for the system contracts at their EIP addresses.
// The stand-ins are written here from the EIPs' descriptions of the
// storage they keep, not copied: @ethereumjs writes EIP-4788/2935 storage
// directly and runs EIP-7002/7251 code, so any code with the same storage
// effect keeps both sides comparable.
import { asm, account, pushN, ETH, hex, makeKey, keyAddress, signTx, CHAIN_ID, concatHex, pad32 } from '../lib.mjs';

export const SYSTEM_ADDRESS = '0xfffffffffffffffffffffffffffffffffffffffe';
export const BEACON_ROOTS = '0x000f3df6d732807ef1319fb7b8bb8522d0beac02'; // EIP-4788
export const HISTORY = '0x0000f90827f1c53a10cb7a02335b175320002935'; // EIP-2935
export const WITHDRAWAL_REQUESTS = '0x00000961ef480eb55e80d19ad83579a64c007002'; // EIP-7002
// EIP-7997 (Amsterdam): the CREATE2 factory predeploy (salt || initcode in)
export const FACTORY = '0x0000000000000000000000000000000000000012';
export const FACTORY_CODE = '0x60203610602f5760003560203603806020600037600034f5806026573d600060003e3d6000fd5b60005260206000f35b60006000fd';
// EIP-8282 (Amsterdam): the builder deposit and exit request contracts (stand-ins like the above)
export const BUILDER_DEPOSITS = '0x0000bff46984e3725691fa540a8c7589300d8282';
export const BUILDER_EXITS = '0x000064d678505ad48f8ccb093bc65613800e8282';
export const CONSOLIDATION_REQUESTS = '0x0000bbddc7ce488642fb579f8b00f3a590007251'; // EIP-7251
export const DEPOSIT_CONTRACT = '0x00000000219ab540356cbb839cbe05303d7705fa'; // EIP-6110, mainnet
export const DEPOSIT_TOPIC = '0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5'; // keccak("DepositEvent(bytes,bytes,bytes,bytes,bytes)")

const sys = { raw: pushN(BigInt(SYSTEM_ADDRESS), 20) };

/** EIP-4788: system call stores timestamp and root in two 8191-slot rings; get(ts) returns the root. */
export const beaconRootsCode = asm(
  'CALLER', sys, 'EQ', { ref: 'set' }, 'JUMPI',
  'CALLDATASIZE', 0x20, 'EQ', 'ISZERO', { ref: 'fail' }, 'JUMPI',
  'PUSH0', 'CALLDATALOAD', 'DUP1', 'ISZERO', { ref: 'fail' }, 'JUMPI',
  8191, 'DUP2', 'MOD', 'DUP1', 'SLOAD', 'DUP3', 'EQ', 'ISZERO', { ref: 'fail' }, 'JUMPI',
  8191, 'ADD', 'SLOAD', 'PUSH0', 'MSTORE', 0x20, 'PUSH0', 'RETURN',
  { label: 'fail' }, 'PUSH0', 'PUSH0', 'REVERT',
  { label: 'set' }, 8191, 'TIMESTAMP', 'MOD', 'TIMESTAMP', 'DUP2', 'SSTORE',
  'PUSH0', 'CALLDATALOAD', 'SWAP1', 8191, 'ADD', 'SSTORE', 'STOP',
);

/** EIP-2935: system call stores the parent hash at (number-1) % 8191; get(n) serves the last 8191. */
export const historyCode = asm(
  'CALLER', sys, 'EQ', { ref: 'set' }, 'JUMPI',
  'CALLDATASIZE', 0x20, 'EQ', 'ISZERO', { ref: 'fail' }, 'JUMPI',
  'PUSH0', 'CALLDATALOAD', 1, 'NUMBER', 'SUB', 'DUP2', 'GT', { ref: 'fail' }, 'JUMPI',
  'NUMBER', 'DUP2', 8191, 'ADD', 'LT', { ref: 'fail' }, 'JUMPI',
  8191, 'SWAP1', 'MOD', 'SLOAD', 'PUSH0', 'MSTORE', 0x20, 'PUSH0', 'RETURN',
  { label: 'fail' }, 'PUSH0', 'PUSH0', 'REVERT',
  { label: 'set' }, 'PUSH0', 'CALLDATALOAD', 8191, 1, 'NUMBER', 'SUB', 'MOD', 'SSTORE', 'STOP',
);

/**
 * EIP-7002/7251 stand-in: a user call with exactly `size` bytes of
 * calldata queues it (count in slot 0, request k in slots 1+4k..4+4k);
 * the system call returns every queued request, packed, and empties the
 * queue.
 */
export function requestQueueCode(size) {
  const load = [];
  for (let j = 0; j < 4; j++) load.push('DUP1', 4, 'MUL', 1 + j, 'ADD', 'SLOAD', 0x8000 + 32 * j, 'MSTORE');
  const store = [];
  for (let j = 0; j < 4; j++) store.push(32 * j, 'CALLDATALOAD', 'DUP2', 4, 'MUL', 1 + j, 'ADD', 'SSTORE');
  return asm(
    'CALLER', sys, 'EQ', { ref: 'sys' }, 'JUMPI',
    'CALLDATASIZE', size, 'EQ', 'ISZERO', { ref: 'fail' }, 'JUMPI',
    'PUSH0', 'SLOAD', 'DUP1', 1, 'ADD', 'PUSH0', 'SSTORE', store, 'STOP',
    { label: 'fail' }, 'PUSH0', 'PUSH0', 'REVERT',
    { label: 'sys' }, 'PUSH0', 'SLOAD', 'PUSH0',
    { label: 'loop' }, 'DUP2', 'DUP2', 'LT', 'ISZERO', { ref: 'done' }, 'JUMPI',
    load, size, 0x8000, 'DUP3', size, 'MUL', 'MCOPY', 1, 'ADD', { ref: 'loop' }, 'JUMP',
    { label: 'done' }, 'POP', 'PUSH0', 'PUSH0', 'SSTORE', size, 'MUL', 'PUSH0', 'RETURN',
  );
}

/** Deposit contract stand-in: logs its calldata under the DepositEvent topic. */
export const depositCode = asm('CALLDATASIZE', 'PUSH0', 'PUSH0', 'CALLDATACOPY', { raw: '7f' + DEPOSIT_TOPIC.slice(2) }, 'CALLDATASIZE', 'PUSH0', 'LOG1', 'STOP');

/**
 * Prober: calldata = target (word 0), gas (word 1), payload. Calls the
 * target with `op`, counts calls in slot 0 and for call s stores success,
 * RETURNDATASIZE and keccak(returndata) in slots 3s+1..3s+3, and logs the
 * return data with the success flag as topic.
 */
export function proberCode(op) {
  const withValue = op === 'CALL' || op === 'CALLCODE';
  return asm(
    'PUSH0', 'SLOAD', 'DUP1', 1, 'ADD', 'PUSH0', 'SSTORE',
    0x40, 'CALLDATASIZE', 'SUB', 'DUP1', 0x40, 'PUSH0', 'CALLDATACOPY',
    'PUSH0', 'PUSH0', 'DUP3', 'PUSH0', withValue ? ['PUSH0'] : [], 'PUSH0', 'CALLDATALOAD', 0x20, 'CALLDATALOAD', op,
    'DUP3', 3, 'MUL', 1, 'ADD', 'DUP2', 'DUP2', 'SSTORE',
    'RETURNDATASIZE', 'DUP2', 1, 'ADD', 'SSTORE',
    'RETURNDATASIZE', 'PUSH0', 'PUSH0', 'RETURNDATACOPY',
    'RETURNDATASIZE', 'PUSH0', 'KECCAK256', 'DUP2', 2, 'ADD', 'SSTORE',
    'DUP2', 'RETURNDATASIZE', 'PUSH0', 'LOG1', 'STOP',
  );
}

/** Prober calldata for `target` with `gas` and `payload` (hex). */
export const probe = (target, gas, payload = '0x') => concatHex(pad32(BigInt(target)), pad32(gas), payload);

// Harness contracts (fixed addresses, all non-empty accounts).
export const C = {
  counter: '0x00000000000000000000000000000000c0000001',
  store: '0x00000000000000000000000000000000c0000002',
  reverter: '0x00000000000000000000000000000000c0000003',
  prober: '0x00000000000000000000000000000000c0000004',
  staticProber: '0x00000000000000000000000000000000c0000005',
  delegateProber: '0x00000000000000000000000000000000c0000006',
  factory: '0x00000000000000000000000000000000c0000007',
  destructor: '0x00000000000000000000000000000000c0000008',
  transient: '0x00000000000000000000000000000000c0000009',
  envProbe: '0x00000000000000000000000000000000c000000a',
  burner: '0x00000000000000000000000000000000c000000b',
};

export const CODE = {
  // slot0 += 1; LOG2(calldata, topics: 0xc0, new value)
  counter: asm('PUSH0', 'SLOAD', 1, 'ADD', 'DUP1', 'PUSH0', 'SSTORE', 'CALLDATASIZE', 'PUSH0', 'PUSH0', 'CALLDATACOPY', 0xc0, 'CALLDATASIZE', 'PUSH0', 'LOG2', 'STOP'),
  // SSTORE(word1, word0); returns old value
  store: asm(0x20, 'CALLDATALOAD', 'SLOAD', 'PUSH0', 'MSTORE', 'PUSH0', 'CALLDATALOAD', 0x20, 'CALLDATALOAD', 'SSTORE', 0x20, 'PUSH0', 'RETURN'),
  // SSTORE(1, 1) then REVERT with 4 bytes
  reverter: asm(1, 1, 'SSTORE', 0xdeadbeef, 'PUSH0', 'MSTORE', 4, 28, 'REVERT'),
  prober: proberCode('CALL'),
  staticProber: proberCode('STATICCALL'),
  delegateProber: proberCode('DELEGATECALL'),
  // word0: 0 CREATE / 1 CREATE2 (salt word1); rest: init code. Stores the address at slot 0, logs it.
  factory: asm(
    0x40, 'CALLDATASIZE', 'SUB', 'DUP1', 0x40, 'PUSH0', 'CALLDATACOPY',
    'PUSH0', 'CALLDATALOAD', { ref: 'c2' }, 'JUMPI',
    'PUSH0', 'PUSH0', 'CALLVALUE', 'CREATE', { ref: 'done' }, 'JUMP',
    { label: 'c2' }, 0x20, 'CALLDATALOAD', 'SWAP1', 'PUSH0', 'CALLVALUE', 'CREATE2',
    { label: 'done' }, 'DUP1', 'PUSH0', 'SSTORE', 'PUSH0', 'MSTORE', 0x20, 'PUSH0', 'LOG0', 'STOP',
  ),
  // SELFDESTRUCT(word0)
  destructor: asm('PUSH0', 'CALLDATALOAD', 'SELFDESTRUCT'),
  // TSTORE(1, word0); MCOPY; SSTORE(2, TLOAD(1)); re-enters itself once through CALL with 1 byte
  transient: asm(
    'CALLDATASIZE', 1, 'EQ', { ref: 'inner' }, 'JUMPI',
    'PUSH0', 'CALLDATALOAD', 1, 'TSTORE', 0x1234, 'PUSH0', 'MSTORE', 0x20, 'PUSH0', 0x40, 'MCOPY', 0x40, 'MLOAD', 3, 'SSTORE',
    'PUSH0', 'PUSH0', 1, 'PUSH0', 'PUSH0', 'ADDRESS', 'GAS', 'CALL', 4, 'SSTORE', 'STOP',
    { label: 'inner' }, 1, 'TLOAD', 2, 'SSTORE', 'STOP',
  ),
  // stores block fields: slot k = field k
  envProbe: asm(
    1, 'NUMBER', 'SUB', 'BLOCKHASH', 1, 'SSTORE', 0x100, 'NUMBER', 'SUB', 'BLOCKHASH', 2, 'SSTORE',
    'NUMBER', 'BLOCKHASH', 3, 'SSTORE', 'COINBASE', 4, 'SSTORE', 'TIMESTAMP', 5, 'SSTORE', 'BASEFEE', 6, 'SSTORE',
    'BLOBBASEFEE', 7, 'SSTORE', 'PREVRANDAO', 8, 'SSTORE', 'CHAINID', 9, 'SSTORE', 'GASLIMIT', 10, 'SSTORE',
    'SELFBALANCE', 11, 'SSTORE', 'GASPRICE', 12, 'SSTORE', 'ORIGIN', 13, 'SSTORE', 'PUSH0', 'BLOBHASH', 14, 'SSTORE',
    1, 'BLOBHASH', 15, 'SSTORE', 'CALLVALUE', 16, 'SSTORE', 'STOP',
  ),
  // burns gas: loops word0 times over an SSTORE of the counter
  burner: asm('PUSH0', 'CALLDATALOAD', { label: 'l' }, 'DUP1', 'ISZERO', { ref: 'e' }, 'JUMPI', 1, 'SWAP1', 'SUB', 'DUP1', 'DUP1', 'SSTORE', { ref: 'l' }, 'JUMP', { label: 'e' }, 'STOP'),
};

/** Runtime that stores calldata word 0 at slot 0 (for CREATE tests). */
export const childRuntime = asm('PUSH0', 'CALLDATALOAD', 'PUSH0', 'SSTORE', 'STOP');

/**
 * A world: `nkeys` funded senders, the harness contracts and the system
 * contracts the fork has. Returns { alloc, keys, addrs, nonces, tx }:
 * tx(keyIndex, fields) signs with the sender's next nonce (fields.nonce
 * overrides; `bump: false` leaves the tracked nonce as is).
 */
export function makeWorld(rng, fork, { nkeys = 4, balance = null, system = true } = {}) {
  const alloc = {};
  const keys = [], addrs = [], nonces = [];
  for (let i = 0; i < nkeys; i++) {
    const k = makeKey(rng);
    keys.push(k);
    addrs.push(keyAddress(k));
    const n = rng.bool(0.3) ? rng.range(1, 5) : 0;
    nonces.push(n);
    alloc[addrs[i]] = account({ balance: balance ?? (rng.bool(0.9) ? ETH * BigInt(rng.range(1, 100)) : BigInt(rng.range(100000, 5000000)) * 1000n), nonce: n });
  }
  for (const [name, addr] of Object.entries(C)) alloc[addr] = account({ balance: name === 'destructor' || rng.bool(0.3) ? BigInt(rng.range(1, 1000)) : 0n, nonce: 1, code: CODE[name], storage: name === 'store' ? { 1: 5, 2: 7 } : name === 'counter' ? { 0: rng.range(0, 3) } : undefined });
  if (system) {
    alloc[BEACON_ROOTS] = account({ nonce: 1, code: beaconRootsCode });
    if (fork !== 'Cancun') {
      alloc[HISTORY] = account({ nonce: 1, code: historyCode });
      alloc[WITHDRAWAL_REQUESTS] = account({ nonce: 1, code: requestQueueCode(76) });
      alloc[CONSOLIDATION_REQUESTS] = account({ nonce: 1, code: requestQueueCode(116) });
      alloc[DEPOSIT_CONTRACT] = account({ nonce: 1, code: depositCode });
      // EIP-7997: the factory as parevm puts it there in the block that
      // activates Amsterdam (@ethereumjs does not insert it): present, so
      // both run it and parevm's insertion is a no-op
      if (/\+7997\b|^Amsterdam$/.test(fork)) alloc[FACTORY] = account({ nonce: 1, code: FACTORY_CODE });
      if (/\+8282\b|^Amsterdam$/.test(fork)) {
        alloc[BUILDER_DEPOSITS] = account({ nonce: 1, code: requestQueueCode(88) });
        alloc[BUILDER_EXITS] = account({ nonce: 1, code: requestQueueCode(56) });
      }
    }
  }
  const world = { alloc, keys, addrs, nonces, fork };
  world.tx = (i, fields) => {
    const nonce = fields.nonce ?? world.nonces[i];
    if (fields.nonce === undefined && fields.bump !== false) world.nonces[i]++;
    const f = { ...fields, nonce: BigInt(nonce) };
    delete f.bump;
    return signTx(fork, f, keys[i]);
  };
  return world;
}

/** Fee fields for a transaction of `type` that pays at least `baseFee`. */
export function fees(rng, type, baseFee) {
  const tip = BigInt(rng.range(0, 3));
  const max = BigInt(baseFee) + tip + BigInt(rng.range(0, 20));
  if (type < 2) return { gasPrice: max };
  return { maxFeePerGas: max, maxPriorityFeePerGas: tip };
}

export { hex, CHAIN_ID };
