// Shared helpers for the differential harness: a seeded random source,
// hex formatting, a tiny EVM assembler, keys and transaction signing.
// Everything a family generates goes through here, so that a case is a
// pure function of (family, seed, index).
import { createTx } from '@ethereumjs/tx';
import {
  bytesToHex,
  hexToBytes,
  privateToAddress,
  eoaCode7702SignAuthorization,
  eoaCode7702AuthorizationListBytesItemToJSON,
} from '@ethereumjs/util';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { Common, Mainnet } from '@ethereumjs/common';
// not exported by the package: the file Common itself imports
import { eipsDict } from '../../node_modules/@ethereumjs/common/dist/esm/eips.js';

export const CHAIN_ID = 1; // mainnet: the deposit contract address (EIP-6110) is mainnet's

// ---- seeded randomness (splitmix64 over BigInt: small and reproducible) ----
export class Rng {
  constructor(seed) {
    this.s = BigInt.asUintN(64, BigInt(seed));
  }
  next64() {
    this.s = BigInt.asUintN(64, this.s + 0x9e3779b97f4a7c15n);
    let z = this.s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }
  /** integer in [0, n) */
  int(n) {
    return Number(this.next64() % BigInt(n));
  }
  /** integer in [lo, hi] */
  range(lo, hi) {
    return lo + this.int(hi - lo + 1);
  }
  bool(p = 0.5) {
    return this.int(1000000) < p * 1000000;
  }
  pick(arr) {
    return arr[this.int(arr.length)];
  }
  bytes(n) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  big(bits) {
    let v = 0n;
    for (let i = 0; i < bits; i += 64) v = (v << 64n) | this.next64();
    return BigInt.asUintN(bits, v);
  }
}

/** A seed for case `index` of `family` under run seed `seed`. */
export function caseSeed(family, seed, index) {
  const h = keccak_256(new TextEncoder().encode(`${family}/${seed}/${index}`));
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(h[i]);
  return v;
}

// ---- hex ----
export const hex = (v) => '0x' + BigInt(v).toString(16);
export const hexBytes = (b) => bytesToHex(b);
export const pad32 = (v) => BigInt.asUintN(256, BigInt(v)).toString(16).padStart(64, '0');
export const padHex = (v, n) => BigInt(v).toString(16).padStart(2 * n, '0');
export function concatHex(...parts) {
  return '0x' + parts.map((p) => (p.startsWith('0x') ? p.slice(2) : p)).join('');
}
export const keccakHex = (hexStr) => bytesToHex(keccak_256(hexToBytes(hexStr)));

// ---- a tiny EVM assembler ----
const OPS = {
  STOP: 0x00, ADD: 0x01, MUL: 0x02, SUB: 0x03, DIV: 0x04, SDIV: 0x05, MOD: 0x06, SMOD: 0x07,
  ADDMOD: 0x08, MULMOD: 0x09, EXP: 0x0a, SIGNEXTEND: 0x0b, LT: 0x10, GT: 0x11, SLT: 0x12, SGT: 0x13,
  EQ: 0x14, ISZERO: 0x15, AND: 0x16, OR: 0x17, XOR: 0x18, NOT: 0x19, BYTE: 0x1a, SHL: 0x1b,
  SHR: 0x1c, SAR: 0x1d, CLZ: 0x1e, KECCAK256: 0x20, ADDRESS: 0x30, BALANCE: 0x31, ORIGIN: 0x32,
  CALLER: 0x33, CALLVALUE: 0x34, CALLDATALOAD: 0x35, CALLDATASIZE: 0x36, CALLDATACOPY: 0x37,
  CODESIZE: 0x38, CODECOPY: 0x39, GASPRICE: 0x3a, EXTCODESIZE: 0x3b, EXTCODECOPY: 0x3c,
  RETURNDATASIZE: 0x3d, RETURNDATACOPY: 0x3e, EXTCODEHASH: 0x3f, BLOCKHASH: 0x40, COINBASE: 0x41,
  TIMESTAMP: 0x42, NUMBER: 0x43, PREVRANDAO: 0x44, GASLIMIT: 0x45, CHAINID: 0x46,
  SELFBALANCE: 0x47, BASEFEE: 0x48, BLOBHASH: 0x49, BLOBBASEFEE: 0x4a, SLOTNUM: 0x4b, POP: 0x50, MLOAD: 0x51,
  MSTORE: 0x52, MSTORE8: 0x53, SLOAD: 0x54, SSTORE: 0x55, JUMP: 0x56, JUMPI: 0x57, PC: 0x58,
  MSIZE: 0x59, GAS: 0x5a, JUMPDEST: 0x5b, TLOAD: 0x5c, TSTORE: 0x5d, MCOPY: 0x5e, PUSH0: 0x5f,
  LOG0: 0xa0, LOG1: 0xa1, LOG2: 0xa2, LOG3: 0xa3, LOG4: 0xa4, CREATE: 0xf0, CALL: 0xf1,
  CALLCODE: 0xf2, RETURN: 0xf3, DELEGATECALL: 0xf4, CREATE2: 0xf5, STATICCALL: 0xfa,
  REVERT: 0xfd, INVALID: 0xfe, SELFDESTRUCT: 0xff,
};
for (let i = 1; i <= 16; i++) {
  OPS['DUP' + i] = 0x7f + i;
  OPS['SWAP' + i] = 0x8f + i;
}

/** PUSH of the smallest width that holds v (PUSH0 for 0 when allowed). */
export function push(v, { push0 = true } = {}) {
  v = BigInt(v);
  if (v === 0n && push0) return '5f';
  let h = v.toString(16);
  if (h.length % 2) h = '0' + h;
  const n = h.length / 2;
  if (n > 32) throw new Error('push: value exceeds 32 bytes');
  return (0x5f + n).toString(16) + h;
}
/** PUSH of exactly n bytes (for labels patched later, or addresses). */
export function pushN(v, n) {
  return (0x5f + n).toString(16) + padHex(v, n);
}

/**
 * Assemble: each item is an opcode name, a number/BigInt (pushed), a
 * {label} (JUMPDEST here), a {ref: label} (PUSH2 of its offset) or
 * {raw: hex}. Returns 0x-hex bytecode.
 */
export function asm(...items) {
  items = items.flat(Infinity);
  const chunks = [];
  const labels = {};
  let pc = 0;
  for (const it of items) {
    let h;
    if (typeof it === 'string') {
      if (!(it in OPS)) throw new Error('asm: unknown opcode ' + it);
      h = OPS[it].toString(16).padStart(2, '0');
    } else if (typeof it === 'number' || typeof it === 'bigint') {
      h = push(it);
    } else if (it.label !== undefined) {
      labels[it.label] = pc;
      h = '5b';
    } else if (it.ref !== undefined) {
      chunks.push({ ref: it.ref, at: pc });
      pc += 3;
      continue;
    } else if (it.raw !== undefined) {
      h = it.raw.replace(/^0x/, '');
    } else throw new Error('asm: bad item');
    chunks.push(h);
    pc += h.length / 2;
  }
  return (
    '0x' +
    chunks
      .map((c) => {
        if (typeof c === 'string') return c;
        if (!(c.ref in labels)) throw new Error('asm: undefined label ' + c.ref);
        return '61' + padHex(labels[c.ref], 2);
      })
      .join('')
  );
}

/** Init code that deploys `runtime` (hex) as is: a 10-byte prefix
 * (PUSH2 len, DUP1, PUSH1 10, PUSH0, CODECOPY, PUSH0, RETURN). */
export function deployCode(runtime) {
  const r = runtime.replace(/^0x/, '');
  return '0x' + pushN(r.length / 2, 2) + '80600a5f395ff3' + r;
}

/** Store calldata word 0.. as storage results: helper sequences. */
export const sstore = (slot, ...valueItems) => [...valueItems, slot, 'SSTORE'];

/**
 * CALL-family sequence that copies `inHex` bytes into memory at 0, calls
 * `addr` with `gas`, and leaves the success flag on the stack. The output
 * (up to outLen bytes) lands at memory 0.
 */
export function callWithData(op, addr, inHex, { gas = null, value = 0, outLen = 0, at = 0 } = {}) {
  const data = inHex.replace(/^0x/, '');
  const n = data.length / 2;
  const seq = [];
  for (let i = 0; i < n; i += 32) {
    const word = data.slice(2 * i, 2 * i + 64).padEnd(64, '0');
    seq.push({ raw: '7f' + word }, at + i, 'MSTORE');
  }
  seq.push(outLen, at, n, at);
  if (op === 'CALL' || op === 'CALLCODE') seq.push(value);
  seq.push({ raw: pushN(BigInt(addr), 20) });
  seq.push(gas === null ? 'GAS' : gas);
  seq.push(op);
  return seq;
}

// ---- keys ----
export function makeKey(rng) {
  for (;;) {
    const k = rng.bytes(32);
    if (k[0] !== 0 && k[0] !== 0xff) return k;
  }
}
export const keyAddress = (k) => bytesToHex(privateToAddress(k));

// Blob transactions here carry versioned hashes only (no blobs, no
// proofs), so KZG is never computed; @ethereumjs only wants one present.
const noKzg = () => {
  throw new Error('KZG not available in the diff harness (cases carry no blobs)');
};
const NO_KZG = { loadTrustedSetup: noKzg, blobToKzgCommitment: noKzg, computeBlobKzgProof: noKzg, verifyBlobKzgProofBatch: noKzg, verifyKzgProof: noKzg, computeCells: noKzg, computeCellsAndProofs: noKzg, recoverCellsAndProofs: noKzg, verifyCellKzgProofBatch: noKzg };
const commons = new Map();
/** The @ethereumjs Common for a fork name as t8n spells it: a name, or
 * "BPO2+8024+..." (BPO2 plus some of Amsterdam's EIPs, as parevm t8n
 * takes it). */
export function commonFor(fork, eips = []) {
  // eips: extra EIPs switched on over the fork (tests/diff/bal.mjs: 7928)
  const [base, ...plus] = fork.split('+');
  eips = [...plus.map(Number), ...eips];
  const key = [base, ...eips].join('+');
  if (!commons.has(key)) commons.set(key, plus.length ? commonBeforeItsFork(base, eips) : new Common({ chain: Mainnet, hardfork: base.toLowerCase(), eips, customCrypto: { kzg: NO_KZG } }));
  return commons.get(key);
}

/** A Common for `base` with Amsterdam EIPs on. @ethereumjs refuses an
 * EIP on a fork before its minimum fork (Amsterdam for most of them);
 * that check alone is lifted, while the Common is built (the table is
 * the one Common reads: the same module file). Every rule the EIPs bring
 * is gated by isActivatedEIP, never by the fork. */
function commonBeforeItsFork(base, eips) {
  const saved = eips.map((e) => [e, eipsDict[e]?.minimumHardfork]);
  for (const e of eips) if (eipsDict[e]) eipsDict[e].minimumHardfork = 'chainstart';
  try {
    return hideFromEVM(new Common({ chain: Mainnet, hardfork: base.toLowerCase(), eips, customCrypto: { kzg: NO_KZG } }));
  } finally {
    for (const [e, hf] of saved) if (eipsDict[e]) eipsDict[e].minimumHardfork = hf;
  }
}

// EIPs that @ethereumjs's EVM refuses as extra EIPs (its constructor
// checks common.eips() against a list; it takes them only as part of
// Amsterdam). They stay active, parameters and all (isActivatedEIP,
// param), and are left out of eips(), which nothing else reads.
const EVM_REFUSES = new Set([7997, 8038, 8246, 8282]);
function hideFromEVM(common) {
  const eips = () => Common.prototype.eips.call(common).filter((e) => !EVM_REFUSES.has(e));
  common.eips = eips;
  common.copy = () => hideFromEVM(Common.prototype.copy.call(common));
  return common;
}

/**
 * Sign a transaction (fields as @ethereumjs takes them, bigints or hex)
 * for `fork`; returns the geth-style JSON parevm t8n reads (hex
 * quantities, v/r/s and yParity for typed transactions).
 */
export function signTx(fork, fields, key) {
  let tx;
  try {
    tx = createTx({ chainId: BigInt(CHAIN_ID), ...fields }, { common: commonFor(fork) });
  } catch (e) {
    // A transaction @ethereumjs will not even build (tip above fee cap,
    // say): hand it to t8n unsigned with its secretKey (t8n signs it),
    // and the reference rejects it when it cannot build it either.
    return unsignedJSON(fields, key);
  }
  return txToJSON(tx.sign(key));
}

function unsignedJSON(f, key) {
  const q = (v) => hex(v ?? 0n);
  const out = { type: hex(f.type ?? 0), nonce: q(f.nonce), gas: q(f.gasLimit), value: q(f.value), input: f.data ?? '0x', chainId: hex(CHAIN_ID) };
  if (f.to) out.to = f.to;
  if (f.gasPrice !== undefined) out.gasPrice = q(f.gasPrice);
  if (f.maxFeePerGas !== undefined) {
    out.maxFeePerGas = q(f.maxFeePerGas);
    out.maxPriorityFeePerGas = q(f.maxPriorityFeePerGas);
  }
  if ((f.type ?? 0) >= 1) out.accessList = f.accessList ?? [];
  if (f.type === 3) {
    out.maxFeePerBlobGas = q(f.maxFeePerBlobGas);
    out.blobVersionedHashes = f.blobVersionedHashes ?? [];
  }
  if (f.type === 4) out.authorizationList = (f.authorizationList ?? []).map(authJSON);
  out.secretKey = bytesToHex(key);
  return out;
}

/** geth-style transaction JSON of a signed @ethereumjs transaction. */
export function txToJSON(tx) {
  const j = tx.toJSON();
  const out = { type: hex(tx.type), nonce: j.nonce, gas: j.gasLimit, value: j.value, input: j.data };
  out.to = j.to ?? null;
  if (out.to === null) delete out.to;
  if (tx.type === 0) out.gasPrice = j.gasPrice;
  else {
    out.chainId = j.chainId;
    out.accessList = j.accessList ?? [];
  }
  if (tx.type === 1) out.gasPrice = j.gasPrice;
  if (tx.type >= 2) {
    out.maxFeePerGas = j.maxFeePerGas;
    out.maxPriorityFeePerGas = j.maxPriorityFeePerGas;
  }
  if (tx.type === 3) {
    out.maxFeePerBlobGas = j.maxFeePerBlobGas;
    out.blobVersionedHashes = j.blobVersionedHashes;
  }
  if (tx.type === 4) out.authorizationList = j.authorizationList.map(authJSON);
  out.v = j.v;
  out.r = j.r;
  out.s = j.s;
  if (tx.type !== 0) out.yParity = j.v;
  return out;
}

/** geth's authorization JSON: chainId, address, nonce, yParity, r, s (and v). */
function authJSON(a) {
  const q = (h) => hex(BigInt(h === '0x' ? 0 : h));
  return { chainId: q(a.chainId), address: a.address, nonce: q(a.nonce), yParity: q(a.yParity), v: q(a.yParity), r: q(a.r), s: q(a.s) };
}

/** EIP-7702 authorization tuple signed by `key` (JSON, hex quantities). */
export function signAuth(key, { chainId = CHAIN_ID, address, nonce }) {
  const signed = eoaCode7702SignAuthorization({ chainId: hex(chainId), address, nonce: hex(nonce) }, key);
  const j = eoaCode7702AuthorizationListBytesItemToJSON(signed);
  const q = (h) => hex(h === '0x' ? 0n : BigInt(h));
  return { chainId: q(j.chainId), address: j.address, nonce: q(j.nonce), yParity: q(j.yParity), r: q(j.r), s: q(j.s) };
}

// ---- case scaffolding ----
export const COINBASE = '0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba';
export const BLOCK_NUMBER = 300;

/** The block hash the harness gives block `n` (deterministic, nonzero). */
export const blockHashOf = (n) => keccakHex('0x' + padHex(n, 8));

/** A post-merge env for `fork` (Cancun and later), overridable. */
export function baseEnv(fork, over = {}) {
  const number = over.number ?? BLOCK_NUMBER;
  const hashes = {};
  for (let n = Math.max(0, number - 256); n < number; n++) hashes[String(n)] = blockHashOf(n);
  const env = {
    currentCoinbase: COINBASE,
    currentGasLimit: hex(over.gasLimit ?? 30_000_000),
    currentNumber: hex(number),
    currentTimestamp: hex(over.timestamp ?? 1_800_000_000),
    currentRandom: '0x' + pad32(over.random ?? 0x1234n),
    currentDifficulty: '0x0',
    currentBaseFee: hex(over.baseFee ?? 7),
    currentExcessBlobGas: hex(over.excessBlobGas ?? 0),
    parentBeaconBlockRoot: over.beaconRoot ?? keccakHex('0xbeac'),
    parentHash: blockHashOf(number - 1),
    withdrawals: over.withdrawals ?? [],
    blockHashes: hashes,
  };
  return env;
}

/** An alloc entry with hex fields. */
export function account({ balance = 0n, nonce = 0, code = undefined, storage = undefined } = {}) {
  const a = { balance: hex(balance), nonce: hex(nonce) };
  if (code && code !== '0x') a.code = code;
  if (storage) a.storage = Object.fromEntries(Object.entries(storage).map(([k, v]) => ['0x' + pad32(BigInt(k)), '0x' + pad32(BigInt(v))]));
  return a;
}

export const ETH = 10n ** 18n;
