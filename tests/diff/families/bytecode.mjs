// Random bytecode (issue 21): contracts whose code is random, on a small
// random pre-state, called by a few transactions. The code is drawn from
// the fork's opcodes with pushes biased to values that matter (small
// numbers for offsets, lengths and jump targets near JUMPDESTs, the
// addresses of the other contracts and senders, slot numbers that hold
// storage, edge words), plus now and then a raw byte (undefined opcodes,
// truncated PUSH data). Whatever it does, halts, reverts, runs out of gas,
// calls, creates or self-destructs, both sides must agree. Gas limits are
// small so a loop ends soon on both sides (the stage stays short).
import { account, baseEnv, pad32, pushN } from '../lib.mjs';
import { makeWorld, fees } from './world.mjs';

const CONTRACTS = [
  '0x00000000000000000000000000000000000b0c00',
  '0x00000000000000000000000000000000000b0c01',
  '0x00000000000000000000000000000000000b0c02',
  '0x00000000000000000000000000000000000b0c03',
];

// Opcodes by weight class, each with the stack items it takes.
const ARITH = { 0x01: 2, 0x02: 2, 0x03: 2, 0x04: 2, 0x05: 2, 0x06: 2, 0x07: 2, 0x08: 3, 0x09: 3, 0x0a: 2, 0x0b: 2, 0x10: 2, 0x11: 2, 0x12: 2, 0x13: 2, 0x14: 2, 0x15: 1, 0x16: 2, 0x17: 2, 0x18: 2, 0x19: 1, 0x1a: 2, 0x1b: 2, 0x1c: 2, 0x1d: 2 };
const STACK = { 0x50: 1, 0x80: 1, 0x81: 2, 0x82: 3, 0x83: 4, 0x84: 5, 0x87: 8, 0x8f: 16, 0x90: 2, 0x91: 3, 0x92: 4, 0x93: 5, 0x97: 9, 0x9f: 17 };
const MEMORY = { 0x51: 1, 0x52: 2, 0x53: 2, 0x59: 0, 0x5e: 3, 0x37: 3, 0x39: 3, 0x3e: 3, 0x20: 2 };
const STORAGE = { 0x54: 1, 0x55: 2, 0x5c: 1, 0x5d: 2 };
const ENV = { 0x30: 0, 0x31: 1, 0x32: 0, 0x33: 0, 0x34: 0, 0x35: 1, 0x36: 0, 0x38: 0, 0x3a: 0, 0x3b: 1, 0x3c: 4, 0x3d: 0, 0x3f: 1, 0x40: 1, 0x41: 0, 0x42: 0, 0x43: 0, 0x44: 0, 0x45: 0, 0x46: 0, 0x47: 0, 0x48: 0, 0x49: 1, 0x4a: 0, 0x58: 0, 0x5a: 0 };
const CALLS = { 0xf0: 3, 0xf1: 7, 0xf2: 7, 0xf4: 6, 0xf5: 4, 0xfa: 6, 0xa0: 2, 0xa1: 3, 0xa2: 4, 0xa3: 5, 0xa4: 6 };
const END = { 0x00: 0, 0xf3: 2, 0xfd: 2, 0xfe: 0, 0xff: 1 };
// Arguments worth drawing fresh (top of the stack first): 's' a small
// number (offset, length, value), 'a' an address, 'g' gas.
const FRESH = {
  0x51: 's', 0x52: 'ss', 0x53: 'ss', 0x5e: 'sss', 0x37: 'sss', 0x39: 'sss', 0x3e: 'sss', 0x20: 'ss',
  0x3c: 'asss', 0xf0: 'sss', 0xf5: 'ssss', 0xf1: 'gassss', 0xf2: 'gassss', 0xf4: 'gassss', 0xfa: 'gassss',
  0xa0: 'ss', 0xa1: 'sss', 0xa2: 'ssss', 0xf3: 'ss', 0xfd: 'ss',
};
// CALL and CALLCODE take a value after the address
FRESH[0xf1] = 'gasssss';
FRESH[0xf2] = 'gasssss';
// what each pushes (the rest push one item or none, see stackOut)
const NO_OUTPUT = new Set([0x50, 0x52, 0x53, 0x5e, 0x37, 0x39, 0x3e, 0x55, 0x5d, 0x3c, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4]);
function stackOut(op) {
  if (op >= 0x80 && op <= 0x8f) return op - 0x80 + 2; // DUPn: n items -> n + 1
  if (op >= 0x90 && op <= 0x9f) return op - 0x90 + 2; // SWAPn: n + 1 -> n + 1
  return NO_OUTPUT.has(op) ? 0 : 1;
}

function hex1(b) {
  return b.toString(16).padStart(2, '0');
}

/** A push of a value chosen to matter (see the top of the file). */
function randomPush(rng, ctx) {
  const r = rng.int(100);
  let v;
  if (r < 45) v = BigInt(rng.int(r < 25 ? 8 : 70)); // offsets, lengths, slots
  else if (r < 62) v = BigInt(rng.pick(ctx.addresses));
  else if (r < 72) v = rng.pick([0x20n, 0x40n, 0x100n, 0xffffn, 2n ** 255n, 2n ** 256n - 1n, 2n ** 64n, 2n ** 32n - 1n]);
  else if (r < 85) v = rng.big(rng.range(1, 256));
  else v = BigInt(rng.range(0, 30000)); // gas for a call
  if (v === 0n && ctx.push0 && rng.bool(0.5)) return '5f';
  const n = rng.bool(0.1) ? rng.range(1, 32) : Math.max(1, Math.ceil(v.toString(16).length / 2));
  return pushN(BigInt.asUintN(8 * n, v), n);
}

/**
 * Random code of about `len` bytes. A simulated stack height keeps most
 * operations fed (pushes are inserted before one that would underflow,
 * except now and then), jumps mostly go forward to a JUMPDEST placed
 * later (their targets are patched at the end), and halting opcodes are
 * rare, so the code runs on through many kinds of operation.
 */
export function randomCode(rng, ctx, len) {
  const parts = []; // hex strings, or {jump: index of the JUMPDEST it goes to}
  let size = 0, height = 0;
  const jumpdests = [];
  const add = (h) => {
    parts.push(h);
    size += typeof h === 'string' ? h.length / 2 : 3;
  };
  const feed = (need) => {
    if (rng.bool(0.03)) return; // let it underflow
    while (height < need) {
      add(randomPush(rng, ctx));
      height++;
    }
  };
  const small = () => pushN(BigInt(rng.int(rng.bool(0.8) ? 70 : 300)), 2);
  const op = (table) => {
    const code = Number(rng.pick(Object.keys(table)));
    if (FRESH[code] && rng.bool(0.7)) {
      // fresh arguments, mostly small, so that memory stays small: the
      // top of the stack is the first argument
      const kinds = FRESH[code];
      for (let i = kinds.length - 1; i >= 0; i--) {
        const k = kinds[i];
        add(k === 'a' ? pushN(BigInt(rng.pick(ctx.addresses)), 20) : k === 'g' ? pushN(BigInt(rng.range(0, 40000)), 3) : small());
      }
      height += kinds.length;
    }
    feed(table[code]);
    add(hex1(code));
    height = Math.max(0, height - table[code]) + stackOut(code);
  };
  while (size < len) {
    const r = rng.int(1000);
    if (r < 200) {
      add(randomPush(rng, ctx));
      height++;
    } else if (r < 430) op(ARITH);
    else if (r < 520) op(STACK);
    else if (r < 600) op(MEMORY);
    else if (r < 680) op(STORAGE);
    else if (r < 770) op(ENV);
    else if (r < 830) op(CALLS);
    else if (r < 900) {
      // a jump: JUMPI (condition fed) or JUMP, to a JUMPDEST yet to come
      const cond = rng.bool(0.6);
      if (cond) feed(1);
      parts.push({ jump: jumpdests.length + rng.int(2) });
      size += 3;
      add(cond ? '57' : '56');
      if (cond) height = Math.max(0, height - 1);
    } else if (r < 950) {
      jumpdests.push(size);
      add('5b');
    } else if (r < 965 && ctx.clz) op({ 0x1e: 1 });
    else if (r < 975) op(END);
    else if (r < 985) add(hex1(rng.int(256))); // anything, undefined opcodes included
    else if (rng.bool(0.5)) {
      add('5b'); // a backward jump target: loops end when the gas does
      jumpdests.push(size - 1);
    }
  }
  // the last JUMPDEST may not exist: a jump to it then fails (as it should)
  const code = parts.map((p) => (typeof p === 'string' ? p : '61' + (jumpdests[p.jump] ?? rng.int(size)).toString(16).padStart(4, '0'))).join('');
  // sometimes a PUSH whose data runs past the end of the code
  return '0x' + code + (rng.bool(0.1) ? hex1(0x60 + rng.int(32)) : '');
}

function family(fork, name, count) {
  return {
    name,
    fork,
    count,
    about: 'random bytecode on a random small pre-state: any opcode sequence, halts, calls and creates agree',
    generate(rng) {
      const w = makeWorld(rng, fork, { nkeys: 2 });
      const ctx = {
        addresses: [...CONTRACTS, ...w.addrs, '0x0000000000000000000000000000000000000004', '0x0000000000000000000000000000000000000001'],
        push0: true,
        clz: fork === 'Osaka',
      };
      const n = rng.range(1, CONTRACTS.length);
      for (let i = 0; i < n; i++) {
        const storage = {};
        for (let k = 0; k < rng.int(4); k++) storage[rng.int(8)] = rng.pick([1n, 2n, 0xffn, rng.big(256)]);
        w.alloc[CONTRACTS[i]] = account({
          balance: rng.bool(0.5) ? BigInt(rng.range(0, 1e6)) : 0n,
          nonce: 1,
          code: randomCode(rng, ctx, rng.range(8, 160)),
          storage: Object.keys(storage).length ? storage : undefined,
        });
      }
      const env = baseEnv(fork);
      const txs = [];
      const count = rng.bool(0.5) ? 1 : rng.range(2, 4);
      for (let t = 0; t < count; t++) {
        const create = rng.bool(0.15);
        const data = create ? randomCode(rng, ctx, rng.range(4, 80)) : '0x' + pad32(rng.big(rng.range(0, 256))).repeat(rng.int(3));
        txs.push(
          w.tx(rng.int(2), {
            type: 2,
            ...fees(rng, 2, 7n),
            gasLimit: BigInt(rng.pick([60000, 120000, 250000])),
            to: create ? undefined : CONTRACTS[rng.int(n)],
            value: rng.bool(0.3) ? BigInt(rng.range(0, 1000)) : 0n,
            data,
          }),
        );
      }
      return { name: `${n} contracts, ${count} tx`, alloc: w.alloc, env, txs };
    },
  };
}

// Prague is the main run; Osaka adds CLZ (EIP-7939) to the opcodes drawn.
export default family('Prague', 'bytecode', 75);
export const bytecodeOsaka = family('Osaka', 'bytecode-osaka', 30);
// EIP-8038's repricing of state access (Amsterdam) under random code
export const bytecode8038 = family('BPO2+8038', 'bytecode-8038', 150);
export const bytecode8037 = family('BPO2+2780+7708+7928+7976+7981+8037', 'bytecode-8037', 150);
export const bytecodeAmsterdam = family('Amsterdam', 'bytecode-amsterdam', 150);
