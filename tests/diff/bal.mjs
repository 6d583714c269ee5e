#!/usr/bin/env node
// EIP-7928 block access lists against @ethereumjs/vm 10.1.3 with EIP-7928
// switched on over the block's fork (Prague and Osaka: @ethereumjs allows
// 7928 from Prague). Three sources of blocks:
//   - the differential families' cases (Prague/Osaka), through
//     `parevm t8n --output.bal`;
//   - explicit cases (tests/diff/balcases.mjs): transactions that revert,
//     self-destruct, touch the precompiles or the system contracts, also
//     through t8n;
//   - blocks `parevm gen` writes, BLOCKS per scenario (every scenario of
//     `parevm gen --help`), through `parevm bal --out` (the list the tool
//     writes); ethereumjs runs the same pre-state, header and transactions,
//     and must reach the header's state root.
// The RLP bytes are compared; on a difference both lists are decoded and
// the first differing account, field, slot and index are printed. Cases
// whose execution differs (state root, gas; the families' own job) or
// that either side refuses are counted apart, not compared.
//
//   node tests/diff/bal.mjs [--family a,b] [--seed N] [--count N] [--cases N]
//        [--gen s1,s2|all|none] [--blocks N] [--parevm PATH] [--verbose]
//
// --count: cases per family (default 12); --cases: cases per explicit kind
// and fork (default 6); --blocks: gen blocks per scenario (default 3;
// issue 18's full run is --blocks 200). --family none / --cases 0 /
// --gen none leave a source out. Ends with the plain line
// `P passed, F failed`; exit status 1 on a failure.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex } from '@ethereumjs/util';
import { FAMILIES } from './families.mjs';
import { BAL_CASES } from './balcases.mjs';
import { caseSeed, Rng } from './lib.mjs';
import { runEthereumjs } from './ejs.mjs';
import { t8nArgs } from './parevm.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const opt = { seed: 1, count: 12, cases: 6, blocks: 3, gen: 'all', parevm: join(root, 'build/parevm'), verbose: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i], v = () => argv[++i];
  if (a === '--family') opt.family = v().split(',');
  else if (a === '--seed') opt.seed = Number(v());
  else if (a === '--count') opt.count = Number(v());
  else if (a === '--cases') opt.cases = Number(v());
  else if (a === '--blocks') opt.blocks = Number(v());
  else if (a === '--gen') opt.gen = v();
  else if (a === '--parevm') opt.parevm = resolve(v());
  else if (a === '--verbose') opt.verbose = true;
  else {
    console.error(`bal.mjs: unknown argument '${a}'`);
    process.exit(2);
  }
}

// Prague, Osaka, and BPO2 with some of Amsterdam's EIPs (the list is
// Amsterdam's; each EIP's effect on it is checked alone), and Amsterdam
const BAL_FORKS = ['Prague', 'Osaka', 'Amsterdam'];
const balFork = (fork) => BAL_FORKS.includes(fork) || fork.startsWith('BPO2+');
const families = opt.family?.includes('none') ? [] : FAMILIES.filter((f) => balFork(f.fork) && (opt.family ? opt.family.includes(f.name) : f.enabled));
// a family whose lists @ethereumjs gets wrong (f.balSkip says how) is
// named and left out
for (const f of families.filter((x) => x.balSkip)) console.log(`family ${f.name} (${f.fork}): skipped: ${f.balSkip}`);
const balFamilies = families.filter((f) => !f.balSkip);

/** parevm's access list for case c: { rlp, hash } or { error }. */
function parevmBal(c) {
  const dir = mkdtempSync(join(tmpdir(), 'parevm-bal-'));
  try {
    const args = t8nArgs(c).map((a) => (a === 'stdout' ? '' : a));
    args.push('--output.basedir', dir, '--output.bal', 'bal.json', '--output.result', 'result.json');
    const r = spawnSync(opt.parevm, args, { input: JSON.stringify({ alloc: c.alloc, env: c.env, txs: c.txs }) });
    if (r.status !== 0) return { error: String(r.stderr).trim().split('\n').slice(-1)[0] };
    const bal = JSON.parse(readFileSync(join(dir, 'bal.json'), 'utf8'));
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    return { rlp: bal.blockAccessList.toLowerCase(), hash: bal.blockAccessListHash, stateRoot: result.stateRoot };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FIELDS = ['storageChanges', 'storageReads', 'balanceChanges', 'nonceChanges', 'codeChanges'];
const h = (b) => bytesToHex(b);

/** The first difference between two decoded lists, in words. */
function firstDifference(p, e) {
  const pa = new Map(p.map((a) => [h(a[0]), a])), ea = new Map(e.map((a) => [h(a[0]), a]));
  const addrs = [...new Set([...pa.keys(), ...ea.keys()])].sort();
  for (const addr of addrs) {
    const x = pa.get(addr), y = ea.get(addr);
    if (!x || !y) return `account ${addr}: only in ${x ? 'parevm' : 'ethereumjs'}`;
    for (let f = 0; f < FIELDS.length; f++) {
      const xs = JSON.stringify(x[f + 1].map(show)), ys = JSON.stringify(y[f + 1].map(show));
      if (xs !== ys) return `account ${addr} ${FIELDS[f]}: parevm ${xs} ethereumjs ${ys}`;
    }
  }
  return p.length !== e.length ? `account count: parevm ${p.length} ethereumjs ${e.length}` : 'order or encoding only';
}
const show = (v) => (v instanceof Uint8Array ? h(v) : v.map(show));

const tally = { passed: 0, failed: 0, execDiffers: 0, refused: 0 };
/** Compare one case: ej (ethereumjs's result), pv ({rlp, stateRoot} or {error}). */
function judge(label, ej, pv, expectRoot, ntx) {
  if (ej.error !== undefined || pv.error !== undefined) {
    tally.refused++;
    if (opt.verbose) console.log(`skip ${label}: ${ej.error ?? ''} ${pv.error ?? ''}`);
    return;
  }
  if (ej.stateRoot !== expectRoot) {
    tally.execDiffers++;
    if (opt.verbose) console.log(`skip ${label}: execution differs (state root)`);
    return;
  }
  const erlp = h(ej.vm.evm.blockLevelAccessList.serialize());
  if (process.env.BAL_DEBUG) console.log(`${label}: parevm ${pv.rlp.length / 2 - 1} bytes, ethereumjs ${erlp.length / 2 - 1} bytes`);
  if (erlp === pv.rlp) {
    tally.passed++;
    return;
  }
  tally.failed++;
  const why = firstDifference(RLP.decode(pv.rlp), RLP.decode(erlp));
  console.log(`FAIL ${label}, ${ntx} tx(s): ${why}`);
}
const report = (what, n, before) =>
  console.log(`${what}: ${n} blocks: ${tally.passed - before.passed} passed, ${tally.failed - before.failed} failed, ` +
    `${tally.execDiffers - before.execDiffers} executed differently, ${tally.refused - before.refused} refused`);

let t0 = Date.now();
const t8nSources = [...balFamilies.map((f) => [f, Math.min(opt.count, f.count)]), ...BAL_CASES.map((f) => [f, opt.cases])];
for (const [fam, n] of t8nSources) {
  if (n <= 0) continue;
  const before = { ...tally };
  for (let index = 0; index < n; index++) {
    const rng = new Rng(caseSeed(fam.name, opt.seed, index));
    const c = { family: fam.name, fork: fam.fork, index, seed: opt.seed, ...fam.generate(rng, index) };
    const [ej, pv] = await Promise.all([
      runEthereumjs(c, { eips: [7928] }).catch((err) => ({ error: 'ethereumjs crashed: ' + err.message })),
      Promise.resolve(parevmBal(c)),
    ]);
    judge(`${fam.name} case ${index} (${c.name ?? ''})`, ej, pv, pv.stateRoot, c.txs.length);
  }
  report(`family ${fam.name} (${fam.fork})`, n, before);
}

// ---- `parevm gen` blocks through `parevm bal` ----
/** The scenario names `parevm gen --help` lists. */
function genScenarios() {
  const r = spawnSync(opt.parevm, ['gen', '--help'], { encoding: 'utf8' });
  const text = r.stdout + r.stderr;
  const from = text.indexOf('scenarios'), to = text.indexOf('\nAccounts come');
  return [...text.slice(from, to).matchAll(/^  ([a-z0-9]+) /gm)].map((m) => m[1]);
}

/** A gen block folder as a case ({fork, alloc, env, txs}) for ejs.mjs. */
function caseOfBlock(dir, fork) {
  const blk = JSON.parse(readFileSync(join(dir, 'block.json'), 'utf8'));
  const alloc = JSON.parse(readFileSync(join(dir, 'pre_state.json'), 'utf8'));
  const hashes = JSON.parse(readFileSync(join(dir, 'block_hashes.json'), 'utf8'));
  const env = {
    currentCoinbase: blk.miner,
    currentGasLimit: blk.gasLimit,
    currentNumber: blk.number,
    currentTimestamp: blk.timestamp,
    currentRandom: blk.mixHash,
    currentDifficulty: '0x0',
    currentBaseFee: blk.baseFeePerGas,
    currentExcessBlobGas: blk.excessBlobGas ?? '0x0',
    parentBeaconBlockRoot: blk.parentBeaconBlockRoot,
    withdrawals: blk.withdrawals ?? [],
    blockHashes: hashes,
    ...(blk.slotNumber !== undefined ? { slotNumber: blk.slotNumber } : {}), // EIP-7843 (Amsterdam)
  };
  return { fork, alloc, env, txs: blk.transactions, stateRoot: blk.stateRoot };
}

const scenarios = opt.gen === 'none' || opt.blocks <= 0 ? [] : opt.gen === 'all' ? genScenarios() : opt.gen.split(',');
if (opt.gen === 'all' && scenarios.length === 0) {
  console.log('FAIL: no scenarios found in `parevm gen --help`');
  tally.failed++;
}
const work = mkdtempSync(join(tmpdir(), 'parevm-bal-gen-'));
try {
  for (const sc of scenarios) {
    const before = { ...tally };
    const blocks = [];
    for (let index = 0; index < opt.blocks; index++) {
      // a block: a pure function of (scenario, seed, index)
      const rng = new Rng(caseSeed(`gen/${sc}`, opt.seed, index));
      const fork = ['Prague', 'Osaka', 'Amsterdam'][index % 3];
      const ntx = rng.pick([1, 2, 3, 4, 6, 8, 12, 16]);
      const zipf = rng.pick(['0', '0', '0.8', '1.5']);
      const seed = String(rng.next64() >> 1n);
      const dir = join(work, `${sc}-${index}`);
      const args = ['gen', sc, '--txs', String(ntx), '--zipf', zipf, '--seed', seed, '--fork', fork, '--out', dir];
      const g = spawnSync(opt.parevm, args, { encoding: 'utf8' });
      if (g.status !== 0) {
        tally.refused++;
        console.log(`refused: parevm ${args.join(' ')}: ${(g.stderr || g.stdout).trim().split('\n').slice(-1)[0]}`);
        continue;
      }
      blocks.push({ index, dir, fork, args });
    }
    // one `parevm bal` over the scenario's blocks, as a user runs it
    const out = join(work, `${sc}-bal`);
    mkdirSync(out, { recursive: true });
    const b = spawnSync(opt.parevm, ['bal', '--out', out, ...blocks.map((x) => x.dir)], { encoding: 'utf8' });
    if (b.status !== 0 && opt.verbose) console.log(`parevm bal (${sc}): exit ${b.status}: ${b.stderr.trim()}`);
    for (const x of blocks) {
      const c = caseOfBlock(x.dir, x.fork);
      const file = join(out, `${sc}-${x.index}.bal.rlp`);
      const pv = existsSync(file) ? { rlp: h(readFileSync(file)), stateRoot: c.stateRoot } : { error: 'parevm bal wrote no list' };
      const ej = await runEthereumjs(c, { eips: x.fork === 'Amsterdam' ? [] : [7928] }).catch((err) => ({ error: 'ethereumjs crashed: ' + err.message }));
      judge(`gen ${sc} block ${x.index} (parevm ${x.args.slice(0, -2).join(' ')})`, ej, pv, c.stateRoot, c.txs.length);
      rmSync(x.dir, { recursive: true, force: true });
    }
    report(`gen ${sc}`, blocks.length, before);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
console.log(`${tally.passed} passed, ${tally.failed} failed`);
process.exit(tally.failed ? 1 : 0);
