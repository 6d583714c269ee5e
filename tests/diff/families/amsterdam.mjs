// Amsterdam's EIPs one at a time, each over BPO2 ("BPO2+8024"): parevm
// t8n and @ethereumjs both switch on exactly the EIPs the fork names, so
// a family tests one EIP's rules and nothing else of Amsterdam.
import { asm, baseEnv, account } from '../lib.mjs';
import { makeWorld, fees } from './world.mjs';

const PROBE = '0x00000000000000000000000000000000a0000001';

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
export const eip8024 = {
  name: 'eip8024',
  fork: 'BPO2+8024',
  count: 150,
  about: 'EIP-8024 (Amsterdam): DUPN, SWAPN, EXCHANGE: depths, bad immediates, underflow, code end',
  generate(rng) {
    const fork = this.fork;
    const w = makeWorld(rng, fork, { nkeys: 2 });
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
  },
};

// EIP-7843: SLOTNUM (0x4b) pushes the block's slot number.
export const eip7843 = {
  name: 'eip7843',
  fork: 'BPO2+7843',
  count: 40,
  about: 'EIP-7843 (Amsterdam): SLOTNUM, its value and gas',
  generate(rng) {
    const fork = this.fork;
    const w = makeWorld(rng, fork, { nkeys: 2 });
    const slot = rng.pick([0n, 1n, 12345n, 2n ** 32n + 7n, 2n ** 64n - 1n, rng.big(63)]);
    const body = ['SLOTNUM', 'PUSH0', 'SSTORE', 'GAS', 'SLOTNUM', 'POP', 'GAS', 'SWAP1', 'SUB', 1, 'SSTORE'];
    if (rng.bool(0.2)) body.push(...Array(1024).fill('SLOTNUM')); // overflow
    w.alloc[PROBE] = account({ nonce: 1, code: asm(body) });
    const env = { ...baseEnv(fork), slotNumber: '0x' + slot.toString(16) };
    const txs = [w.tx(rng.int(2), { type: 2, ...fees(rng, 2, 7n), gasLimit: 200_000n, to: PROBE })];
    return { name: `slot ${slot}`, alloc: w.alloc, env, txs };
  },
};

// EIP-7954: code up to 64 KiB and initcode up to 128 KiB, in creating
// transactions and through CREATE, around each limit, old and new.
export const eip7954 = {
  name: 'eip7954',
  fork: 'BPO2+7954',
  count: 40,
  about: 'EIP-7954 (Amsterdam): contract code and initcode size limits',
  generate(rng) {
    const fork = this.fork;
    const w = makeWorld(rng, fork, { nkeys: 2 });
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
  },
};
