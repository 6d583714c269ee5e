// Runs one case through @ethereumjs/vm (the reference) and returns the
// normalized result that compare.mjs reads:
//   { stateRoot, gasUsed, receipts: [{index, status, cumulativeGasUsed,
//     gasUsed, logs: [{address, topics, data}]}], rejected: [index...],
//   requests?: [hex type||data ...], requestsHash? }
// or { error } when the block itself is invalid (the reference throws).
import { createBlock } from '@ethereumjs/block';
import { MerkleStateManager } from '@ethereumjs/statemanager';
import { createTx } from '@ethereumjs/tx';
import { Account, Address, bytesToHex, hexToBytes, setLengthLeft } from '@ethereumjs/util';
import { buildBlock, createVM } from '@ethereumjs/vm';
import { commonFor } from './lib.mjs';

const big = (h) => (h === undefined || h === null || h === '0x' || h === '' ? 0n : BigInt(h));

/** BLOCKHASH's source: the env's blockHashes table (as parevm t8n reads it). */
function mockBlockchain(hashes) {
  return {
    async getBlock(n) {
      const h = hashes[String(n)];
      if (h === undefined) throw new Error(`BLOCKHASH(${n}) not in blockHashes`);
      return { hash: () => hexToBytes(h) };
    },
    async putBlock() {},
    shallowCopy() {
      return this;
    },
  };
}

async function loadAlloc(sm, alloc) {
  for (const [addr, a] of Object.entries(alloc)) {
    const address = new Address(hexToBytes(addr));
    await sm.putAccount(address, new Account(big(a.nonce), big(a.balance)));
    if (a.code && a.code !== '0x') await sm.putCode(address, hexToBytes(a.code));
    for (const [k, v] of Object.entries(a.storage ?? {})) {
      if (big(v) === 0n) continue;
      await sm.putStorage(address, setLengthLeft(hexToBytes(k), 32), hexToBytes('0x' + big(v).toString(16).padStart(64, '0')));
    }
  }
}

/** @ethereumjs transaction fields from geth-style JSON (signed). */
export function txFromJSON(j, common) {
  const f = {
    type: Number(big(j.type)),
    nonce: big(j.nonce),
    gasLimit: big(j.gas ?? j.gasLimit),
    value: big(j.value),
    data: j.input ?? j.data ?? '0x',
    v: big(j.v ?? j.yParity),
    r: big(j.r),
    s: big(j.s),
  };
  if (j.to) f.to = j.to;
  if (f.type === 0 || f.type === 1) f.gasPrice = big(j.gasPrice);
  if (f.type >= 1) {
    f.chainId = big(j.chainId);
    f.accessList = j.accessList ?? [];
  }
  if (f.type >= 2) {
    f.maxFeePerGas = big(j.maxFeePerGas);
    f.maxPriorityFeePerGas = big(j.maxPriorityFeePerGas);
  }
  if (f.type === 3) {
    f.maxFeePerBlobGas = big(j.maxFeePerBlobGas);
    f.blobVersionedHashes = j.blobVersionedHashes ?? [];
  }
  if (f.type === 4)
    f.authorizationList = j.authorizationList.map((a) => ({
      chainId: a.chainId,
      address: a.address,
      nonce: a.nonce,
      yParity: a.yParity ?? a.v,
      r: a.r,
      s: a.s,
    }));
  return createTx(f, { common });
}

/** Run `c` ({fork, alloc, env, txs}) under @ethereumjs/vm; `eips`: extra
 * EIPs on over the fork (the result's vm then holds, for 7928, the block
 * access list in vm.evm.blockLevelAccessList). */
export async function runEthereumjs(c, { eips = [] } = {}) {
  const common = commonFor(c.fork, eips);
  const env = c.env;
  const sm = new MerkleStateManager({ common });
  await loadAlloc(sm, c.alloc);
  const vm = await createVM({ common, stateManager: sm, blockchain: mockBlockchain(env.blockHashes ?? {}) });
  const number = big(env.currentNumber);
  const headerData = {
    number,
    coinbase: env.currentCoinbase,
    gasLimit: big(env.currentGasLimit),
    timestamp: big(env.currentTimestamp),
    baseFeePerGas: big(env.currentBaseFee),
    mixHash: '0x' + big(env.currentRandom).toString(16).padStart(64, '0'),
    difficulty: 0n,
    excessBlobGas: big(env.currentExcessBlobGas),
    parentBeaconBlockRoot: env.parentBeaconBlockRoot,
    ...(env.slotNumber !== undefined ? { slotNumber: big(env.slotNumber) } : {}),
    // EIP-2935 stores the parent's hash: t8n takes it from blockHashes
    parentHash: env.blockHashes?.[String(number - 1n)] ?? '0x' + '00'.repeat(32),
  };
  const parentBlock = createBlock({ header: { number: number - 1n, gasLimit: headerData.gasLimit, timestamp: headerData.timestamp - 12n, baseFeePerGas: headerData.baseFeePerGas, excessBlobGas: 0n, parentBeaconBlockRoot: headerData.parentBeaconBlockRoot } }, { common });
  const withdrawals = (env.withdrawals ?? []).map((w) => ({ index: big(w.index), validatorIndex: big(w.validatorIndex), address: w.address, amount: big(w.amount) }));
  let builder;
  try {
    builder = await buildBlock(vm, { parentBlock, headerData, withdrawals, blockOpts: { putBlockIntoBlockchain: false, calcDifficultyFromHeader: undefined } });
  } catch (e) {
    return { error: 'block setup: ' + e.message };
  }
  const out = { receipts: [], rejected: [], rejectedWhy: {} };
  let prevCum = 0n;
  for (let i = 0; i < c.txs.length; i++) {
    let tx;
    try {
      tx = txFromJSON(c.txs[i], common);
    } catch (e) {
      out.rejected.push(i);
      out.rejectedWhy[i] = 'decode: ' + e.message.split('\n')[0];
      continue;
    }
    try {
      const r = await builder.addTransaction(tx, { allowNoBlobs: true });
      // The gas paid (after refunds), summed: what the receipt says. The
      // block builder's receipts add it to the block's gas used, which
      // EIP-7778 counts before refunds (runBlock sums what is paid).
      const cum = prevCum + r.totalGasSpent;
      out.receipts.push({
        index: i,
        status: r.receipt.status ?? (r.execResult.exceptionError ? 0 : 1),
        cumulativeGasUsed: cum,
        gasUsed: cum - prevCum,
        logs: r.receipt.logs.map(([a, t, d]) => ({ address: bytesToHex(a), topics: t.map(bytesToHex), data: bytesToHex(d) })),
      });
      prevCum = cum;
    } catch (e) {
      out.rejected.push(i);
      out.rejectedWhy[i] = e.message.split('\n')[0];
      if (process.env.EJS_STACK) console.error(e.stack);
    }
  }
  let built;
  try {
    built = await builder.build();
  } catch (e) {
    return { error: 'block: ' + e.message };
  }
  out.stateRoot = bytesToHex(await sm.getStateRoot());
  out.gasUsed = built.block.header.gasUsed;
  if (built.requests !== undefined) {
    out.requests = built.requests.map((r) => bytesToHex(r.bytes));
    out.requestsHash = bytesToHex(built.block.header.requestsHash);
  }
  out.vm = vm;
  return out;
}

/** The reference's view of some accounts (for a reproducer's diff). */
export async function dumpAccounts(vm, addresses) {
  const sm = vm.stateManager;
  const out = {};
  for (const a of addresses) {
    const address = new Address(hexToBytes(a));
    const acct = await sm.getAccount(address);
    if (!acct) continue;
    const code = await sm.getCode(address);
    const storage = await sm.dumpStorage(address).catch(() => ({}));
    out[a.toLowerCase()] = { balance: '0x' + acct.balance.toString(16), nonce: '0x' + acct.nonce.toString(16), code: bytesToHex(code), storage };
  }
  return out;
}
