// Amsterdam's EIPs one at a time, each over BPO2 ("BPO2+8024"): parevm
// t8n and @ethereumjs both switch on exactly the EIPs the fork names, so
// a family tests one EIP's rules and nothing else of Amsterdam.
import { asm, baseEnv, account, pad32 } from '../lib.mjs';
import { makeWorld, fees, FACTORY } from './world.mjs';

const PROBE = '0x00000000000000000000000000000000a0000001';

/** A family over `fork` whose cases start from a world of two senders:
 * body(rng, w, fork) returns the case ({name, alloc, env, txs}). */
function family(name, fork, count, about, body) {
  return { name, fork, count, about, generate: (rng) => body(rng, makeWorld(rng, fork, { nkeys: 2 }), fork) };
}

/** An immediate for DUPN/SWAPN (valid: <= 0x5a or >= 0x80) or EXCHANGE
 * (<= 0x51 or >= 0x80), now and then an invalid one. */
function immediate(rng, pair) {
  if (rng.bool(0.1)) return pair ? rng.range(0x52, 0x7f) : rng.range(0x5b, 0x7f);
  return rng.bool(0.5) ? rng.range(0, pair ? 0x51 : 0x5a) : rng.range(0x80, 0xff);
}

const hex2 = (b) => b.toString(16).padStart(2, '0');

// EIP-8024: DUPN (0xe6), SWAPN (0xe7), EXCHANGE (0xe8) on stacks of 0 to
// 240 distinct items, valid and invalid immediates, an immediate past
// the end of the code, a jump to the JUMPDEST byte behind an invalid
// immediate; the top 24 items are stored, so every move shows.
export const eip8024 = family('eip8024', 'BPO2+8024', 150, 'EIP-8024 (Amsterdam): DUPN, SWAPN, EXCHANGE: depths, bad immediates, underflow, code end', (rng, w, fork) => {
  const items = rng.pick([0, 5, 16, 17, 18, 30, 100, 200, 235, 236, 240]);
  const body = [];
  for (let i = 0; i < items; i++) body.push(0x1000 + i);
  const nops = rng.range(1, 6);
  const names = [];
  for (let k = 0; k < nops; k++) {
    const op = rng.pick([0xe6, 0xe7, 0xe8]);
    body.push({ raw: hex2(op) + hex2(immediate(rng, op === 0xe8)) });
    names.push(hex2(op));
  }
  if (rng.bool(0.1)) {
    // JUMPDEST analysis: 0x5b after DUPN is no immediate (it is invalid
    // as one), so it stays a jump destination
    const at = (asm(body).length - 2) / 2 + 5; // PUSH2 dest, JUMP, DUPN, then 5b
    body.push({ raw: '61' + at.toString(16).padStart(4, '0') + '56' + 'e6' + '5b' });
  }
  for (let j = 0; j < 24; j++) body.push(j, 'SSTORE');
  const tail = rng.bool(0.1) ? rng.pick(['e6', 'e7', 'e8']) : '00';
  w.alloc[PROBE] = account({ nonce: 1, code: asm(body, { raw: tail }) });
  const env = baseEnv(fork);
  const txs = [w.tx(rng.int(2), { type: 2, ...fees(rng, 2, 7n), gasLimit: 2_000_000n, to: PROBE })];
  return { name: `${items} items, ${names.join(' ')}`, alloc: w.alloc, env, txs };
});

// EIP-7843: SLOTNUM (0x4b) pushes the block's slot number.
export const eip7843 = family('eip7843', 'BPO2+7843', 40, 'EIP-7843 (Amsterdam): SLOTNUM, its value and gas', (rng, w, fork) => {
  const slot = rng.pick([0n, 1n, 12345n, 2n ** 32n + 7n, 2n ** 64n - 1n, rng.big(63)]);
  const body = ['SLOTNUM', 'PUSH0', 'SSTORE', 'GAS', 'SLOTNUM', 'POP', 'GAS', 'SWAP1', 'SUB', 1, 'SSTORE'];
  if (rng.bool(0.2)) body.push(...Array(1024).fill('SLOTNUM')); // overflow
  w.alloc[PROBE] = account({ nonce: 1, code: asm(body) });
  const env = { ...baseEnv(fork), slotNumber: '0x' + slot.toString(16) };
  const txs = [w.tx(rng.int(2), { type: 2, ...fees(rng, 2, 7n), gasLimit: 200_000n, to: PROBE })];
  return { name: `slot ${slot}`, alloc: w.alloc, env, txs };
});

// EIP-7954: code up to 64 KiB and initcode up to 128 KiB, in creating
// transactions and through CREATE, around each limit, old and new.
export const eip7954 = family('eip7954', 'BPO2+7954', 40, 'EIP-7954 (Amsterdam): contract code and initcode size limits', (rng, w, fork) => {
  const size = rng.pick([24576, 24577, 32768, 65535, 65536, 65537]);
  // PUSH3 size, DUP1, PUSH1 11, PUSH0, CODECOPY, PUSH0, RETURN: 11 bytes
  let init = '0x62' + size.toString(16).padStart(6, '0') + '80600b5f395ff3' + '00'.repeat(size);
  const bytes = () => (init.length - 2) / 2;
  if (rng.bool(0.3)) init += '00'.repeat(Math.max(0, rng.pick([49152, 131072 - 1, 131072]) - bytes() + rng.range(0, 1)));
  const txs = [];
  if (rng.bool(0.5)) {
    txs.push(w.tx(0, { type: 2, ...fees(rng, 2, 7n), gasLimit: 16_000_000n, data: init }));
  } else {
    // a factory: CREATE with the initcode given as calldata
    const factory = asm('CALLDATASIZE', 'PUSH0', 'PUSH0', 'CALLDATACOPY', 'CALLDATASIZE', 'PUSH0', 'PUSH0', 'CREATE', 'PUSH0', 'SSTORE', 'STOP');
    w.alloc[PROBE] = account({ nonce: 1, code: factory });
    txs.push(w.tx(0, { type: 2, ...fees(rng, 2, 7n), gasLimit: 16_000_000n, to: PROBE, data: init }));
  }
  return { name: `code ${size}, initcode ${bytes()}`, alloc: w.alloc, env: baseEnv(fork), txs };
});

// EIP-7708 (ETH transfers emit a log) and EIP-8246 (SELFDESTRUCT no
// burn), alone and together. A probe contract, called with value or not,
// creates a child with value from the initcode in its calldata: one that
// self-destructs to itself (a burn before EIP-8246) or to another
// account, one that returns code which self-destructs when called, or a
// plain one. Then the probe sends ether to the child (after its
// self-destruct: burned at the end of the transaction), to a precompile,
// through CALLCODE (no log), into a reverting call (its log goes), and
// may revert all of it.
const MOVER = '0x00000000000000000000000000000000a0000002';
const REVERTER = '0x00000000000000000000000000000000c0000003';

function callValue(op, to, value, argsOff = 0, argsLen = 0) {
  // CALL/CALLCODE(gas, to, value, argsOff, argsLen, 0, 0), result dropped
  return [0, 0, argsLen, argsOff, value, to, 'GAS', op, 'POP'];
}

function ethLogs(name, fork, about) {
  return family(name, fork, 120, about, (rng, w) => {
  const other = BigInt(rng.pick([...w.addrs, '0x00000000000000000000000000000000c0ffee01']));
  const kind = rng.int(4);
  const push20 = (a) => '73' + a.toString(16).padStart(40, '0');
  let init;
  if (kind === 0) init = '30ff'; // ADDRESS SELFDESTRUCT
  else if (kind === 1) init = push20(other) + 'ff';
  else if (kind === 2) init = '6005600c5f3960055ff3' + '5f35ff' + '0000'; // returns PUSH0 CALLDATALOAD SELFDESTRUCT
  else init = '5f5ff3'; // empty code
  const v1 = BigInt(rng.pick([0, 1, 1000]));
  const body = ['CALLDATASIZE', 'PUSH0', 'PUSH0', 'CALLDATACOPY', 'CALLDATASIZE', 'PUSH0', v1, 'CREATE', 'DUP1', 'PUSH0', 'SSTORE'];
  // the child's address stays on the stack: DUPn reaches it
  if (rng.bool(0.6)) {
    // call the child: with value, and a self-destruct target (kind 2)
    const target = rng.bool(0.5) ? 'ADDRESS' : other;
    body.push(target, 0x100, 'MSTORE', 0, 0, 32, 0x100, BigInt(rng.pick([0, 5])), 'DUP6', 'GAS', 'CALL', 'POP');
  }
  if (rng.bool(0.4)) body.push(...callValue('CALL', 4, BigInt(rng.pick([0, 3]))));
  if (rng.bool(0.3)) body.push(...callValue('CALLCODE', other, 2n));
  if (rng.bool(0.3)) body.push(...callValue('CALL', BigInt(REVERTER), 4n));
  if (rng.bool(0.3)) body.push(...callValue('CALL', other, 6n));
  body.push(rng.bool(0.15) ? { raw: '5f5ffd' } : 'STOP');
  w.alloc[MOVER] = account({ nonce: 1, balance: BigInt(rng.pick([0, 10, 100000])), code: asm(body) });
  const env = baseEnv(fork);
  const n = rng.range(1, 3);
  const txs = [];
  for (let t = 0; t < n; t++) {
    const to = rng.bool(0.8) ? MOVER : rng.pick([MOVER, w.addrs[0], w.addrs[1]]);
    txs.push(w.tx(rng.int(2), { type: 2, ...fees(rng, 2, 7n), gasLimit: 500_000n, to, value: BigInt(rng.pick([0, 0, 7])), data: '0x' + init }));
  }
  return { name: `child ${kind}, ${n} tx`, alloc: w.alloc, env, txs };
  });
}

export const eip7708 = ethLogs('eip7708', 'BPO2+7708', 'EIP-7708 (Amsterdam): Transfer logs of calls, creations, self-destructs; Burn logs');
export const eip8246 = ethLogs('eip8246', 'BPO2+8246', 'EIP-8246 (Amsterdam): SELFDESTRUCT keeps the balance');
export const eip7708and8246 = ethLogs('eip7708-8246', 'BPO2+7708+8246', 'EIP-7708 with EIP-8246: no Burn logs');
export const eip8038 = ethLogs('eip8038-moves', 'BPO2+8038', 'EIP-8038 (Amsterdam): value calls, creations and self-destructs at the new prices');

// EIP-8038's SSTORE: every path through original, current and new value
// (zero, the original, others), cold and warm, several stores a slot,
// refunds that count and the EIP-2200 stipend gate near the gas left.
const STORER = '0x00000000000000000000000000000000a0000003';
export const sstore8038 = family('sstore8038', 'BPO2+8038', 150, 'EIP-8038 (Amsterdam): SSTORE costs and refunds over original/current/new', (rng, w, fork) => {
  const storage = {};
  for (let k = 0; k < 4; k++) if (rng.bool(0.6)) storage[k] = rng.pick([1n, 2n, 3n]);
  const body = [];
  for (let i = 0, n = rng.range(1, 10); i < n; i++) {
    const slot = rng.int(4);
    const v = rng.pick([0n, 0n, storage[slot] ?? 0n, 1n, 2n, 5n]);
    body.push(v, slot, 'SSTORE');
    if (rng.bool(0.2)) body.push(slot, 'SLOAD', 'POP');
  }
  body.push('STOP');
  w.alloc[STORER] = account({ nonce: 1, code: asm(body), storage: Object.keys(storage).length ? storage : undefined });
  const txs = [];
  for (let t = 0, n = rng.range(1, 3); t < n; t++) {
    const f = { type: rng.pick([1, 2]), gasLimit: BigInt(rng.pick([30_000, 45_000, 60_000, 150_000])), to: STORER };
    if (rng.bool(0.3)) f.accessList = [{ address: STORER, storageKeys: ['0x' + pad32(rng.int(4))] }];
    txs.push(w.tx(rng.int(2), { ...f, ...fees(rng, f.type, 7n) }));
  }
  return { name: `${body.length} items`, alloc: w.alloc, env: baseEnv(fork), txs };
});

// EIP-7997: deployments through the factory at 0x12 (salt || initcode,
// the call's value passed on): plain, reverting initcode (its data comes
// back), input under 32 bytes (reverts), the same salt twice (a
// collision), and from a contract.
export const eip7997 = family('eip7997', 'BPO2+7997', 60, 'EIP-7997 (Amsterdam): the CREATE2 factory predeploy: deployments, reverts, short input, collisions', (rng, w, fork) => {
  const inits = ['602a60005360016000f3', '60006000fd', '63deadbeef6000526004601cfd', ''];
  const txs = [];
  const salt = pad32(rng.int(3));
  for (let t = 0, n = rng.range(1, 4); t < n; t++) {
    const short = rng.bool(0.1);
    const data = short ? '0x' + salt.slice(0, rng.int(60)) : '0x' + salt + rng.pick(inits);
    txs.push(w.tx(rng.int(2), { type: 2, ...fees(rng, 2, 7n), gasLimit: 200_000n, to: FACTORY, value: BigInt(rng.pick([0, 0, 9])), data }));
  }
  return { name: `${txs.length} tx`, alloc: w.alloc, env: baseEnv(fork), txs };
});

// EIP-8037 (state creation gas) and EIP-2780 (the transaction's base and
// its recipient), under Amsterdam itself. A probe runs a random program
// of state-creating steps: new slots, slots set and cleared again (the
// state gas comes back), value sent to dead accounts and precompiles,
// CREATE and CREATE2 of code of 0-1000 bytes (and a CREATE2 that
// collides), a child that self-destructs its value to a dead account,
// children that set slots and then return, revert or halt, some with too
// little gas for the state they make; then it stops, reverts or halts.
// Gas limits above 2^24 give a reservoir (EIP-7825 caps the regular gas
// only); plain transfers to dead accounts and creating transactions pay
// the new account at the top, some without the gas for it. Blocks near
// their gas limit test both dimensions of inclusion.
const SETTERS = ['0x00000000000000000000000000000000a0000010', '0x00000000000000000000000000000000a0000011', '0x00000000000000000000000000000000a0000012'];
const CLEARER = '0x00000000000000000000000000000000a0000013';
const SD_TEMPLATE = '0x00000000000000000000000000000000a0000014';
const DEAD = (k) => '0x00000000000000000000000000000000dead' + k.toString(16).padStart(4, '0');

export const eip8037 = family('eip8037', 'Amsterdam', 200, 'EIP-8037 / EIP-2780 (Amsterdam): state gas and its reservoir: new slots, accounts, code; refunds on clear, revert, halt; top-level charges', (rng, w, fork) => {
  // setters: SSTORE(CALLDATALOAD(0) + i, 1) for i < 3, then STOP / REVERT / INVALID
  const ends = [['STOP'], [0, 0, 'REVERT'], [{ raw: 'fe' }]];
  SETTERS.forEach((a, k) => {
    const body = [];
    for (let i = 0; i < 3; i++) body.push(1, 'PUSH0', 'CALLDATALOAD', i, 'ADD', 'SSTORE');
    w.alloc[a] = account({ nonce: 1, code: asm(body, ends[k]) });
  });
  // the clearer: slot CALLDATALOAD(0) := 5, then := 0 (0 -> 5 -> 0)
  w.alloc[CLEARER] = account({ nonce: 1, code: asm(5, 'PUSH0', 'CALLDATALOAD', 'SSTORE', 'PUSH0', 'PUSH0', 'CALLDATALOAD', 'SSTORE', 'STOP') });
  const beneficiary = DEAD(0x100 + rng.int(3));
  w.alloc[SD_TEMPLATE] = account({ nonce: 1, code: '0x73' + beneficiary.slice(2) + 'ff' });
  let fresh = 0x40 + rng.int(8); // the probe's slots: 0x40.. are fresh, 1..8 set in the pre-state
  const storage = {};
  for (let s = 1; s <= 8; s++) if (rng.bool(0.5)) storage[s] = rng.range(1, 100);
  const set = [];
  const body = [];
  const steps = rng.range(1, 12);
  for (let k = 0; k < steps; k++) {
    const what = rng.int(10);
    const gas = rng.bool(0.25) ? rng.pick([3000, 30000, 100000, 200000]) : 'GAS';
    if (what === 0) { // a new slot, or an existing one changed
      const s = rng.bool(0.7) ? fresh++ : rng.range(1, 8);
      body.push(rng.range(1, 9), s, 'SSTORE');
      set.push(s);
    } else if (what === 1 && set.length) { // back to zero
      body.push('PUSH0', rng.pick(set), 'SSTORE');
    } else if (what === 2) { // a setter: return, revert or halt
      body.push(0x1000 + 0x10 * k, 'PUSH0', 'MSTORE', 0, 0, 32, 0, 0, BigInt(rng.pick(SETTERS)), gas, 'CALL', 'POP');
    } else if (what === 3) {
      body.push(0x2000 + k, 'PUSH0', 'MSTORE', 0, 0, 32, 0, 0, BigInt(CLEARER), gas, 'CALL', 'POP');
    } else if (what === 4) { // value to a dead account, or to a precompile
      const to = rng.bool(0.7) ? BigInt(DEAD(rng.int(6))) : rng.range(1, 0x11);
      body.push(0, 0, 0, 0, rng.pick([1, 1000]), to, gas, 'CALL', 'POP');
    } else if (what === 5 || what === 6) { // CREATE / CREATE2 of L bytes: PUSH2 L PUSH0 RETURN
      const L = rng.pick([0, 1, 32, 100, 1000]);
      const init = 0x61n * 2n ** 32n + BigInt(L) * 2n ** 16n + 0x5ff3n;
      body.push(init, 'PUSH0', 'MSTORE');
      if (what === 5) body.push(5, 27, rng.pick([0, 0, 3]), 'CREATE', 'POP');
      else body.push(rng.pick([1, 2]), 5, 27, 0, 'CREATE2', 'POP');
    } else if (what === 7) { // a child that self-destructs its value to a dead account
      body.push(22, 0, 0, BigInt(SD_TEMPLATE), 'EXTCODECOPY', 22, 0, rng.pick([0, 9]), 'CREATE', 'POP');
    } else if (what === 8) { // a nested probe step: CALL a setter with little gas
      body.push(0x3000 + k, 'PUSH0', 'MSTORE', 0, 0, 32, 0, 0, BigInt(SETTERS[0]), rng.pick([5000, 60000, 120000]), 'CALL', 'POP');
    } else {
      body.push(rng.range(1, 9), fresh++, 'SSTORE');
    }
  }
  body.push(...rng.pick([['STOP'], ['STOP'], [0, 0, 'REVERT'], [{ raw: 'fe' }]]));
  w.alloc[PROBE] = account({ nonce: 1, balance: BigInt(rng.pick([0, 100000])), code: asm(body), storage });

  const blockGas = rng.pick([30_000_000, 60_000_000, 120_000_000]);
  const env = baseEnv(fork, { gasLimit: blockGas });
  const n = rng.range(1, 4);
  const txs = [];
  for (let t = 0; t < n; t++) {
    const kind = rng.int(6);
    const gasLimit = BigInt(rng.pick([60_000, 300_000, 1_000_000, 16_777_216, 16_777_216 + rng.range(1, 300_000), 20_000_000, 40_000_000]));
    const f = { type: 2, ...fees(rng, 2, 7n) };
    if (kind <= 2) {
      txs.push(w.tx(rng.int(2), { ...f, gasLimit, to: PROBE, value: BigInt(rng.pick([0, 0, 5])) }));
    } else if (kind === 3) { // value to a dead account: the new account at the top
      const g = BigInt(rng.pick([21_000, 21_000 + 183_600 - 1, 21_000 + 183_600, 300_000, 20_000_000]));
      txs.push(w.tx(rng.int(2), { ...f, gasLimit: g, to: DEAD(rng.int(6)), value: BigInt(rng.pick([0, 1])) }));
    } else if (kind === 4) { // a creating transaction of L bytes
      const L = rng.pick([0, 10, 500]);
      const g = BigInt(rng.pick([60_000, 300_000, 2_000_000, 20_000_000]));
      txs.push(w.tx(rng.int(2), { ...f, gasLimit: g, data: '0x61' + L.toString(16).padStart(4, '0') + '5ff3' }));
    } else { // to itself or to another sender
      txs.push(w.tx(0, { ...f, gasLimit: BigInt(rng.pick([12_000, 21_000, 100_000])), to: rng.pick(w.addrs), value: BigInt(rng.pick([0, 9])) }));
    }
  }
  return { name: `${steps} steps, ${n} tx`, alloc: w.alloc, env, txs };
});
