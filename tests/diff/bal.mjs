#!/usr/bin/env node
// EIP-7928 block access lists: `parevm t8n --output.bal` against
// @ethereumjs/vm 10.1.3 with EIP-7928 switched on over the case's fork
// (Prague and Osaka families: @ethereumjs allows 7928 from Prague), on the
// cases the differential families generate. The RLP bytes are compared;
// on a difference both lists are decoded and the first differing account,
// field, slot and index are printed. Cases whose execution differs (state
// root, gas; the families' own job) or that either side refuses are
// counted apart, not compared.
//
//   node tests/diff/bal.mjs [--family a,b] [--seed N] [--count N] [--parevm PATH] [--verbose]
//
// Ends with the plain line `P passed, F failed`; exit status 1 on a failure.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex } from '@ethereumjs/util';
import { FAMILIES } from './families.mjs';
import { caseSeed, Rng } from './lib.mjs';
import { runEthereumjs } from './ejs.mjs';
import { t8nArgs } from './parevm.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const opt = { seed: 1, count: 12, parevm: join(root, 'build/parevm'), verbose: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i], v = () => argv[++i];
  if (a === '--family') opt.family = v().split(',');
  else if (a === '--seed') opt.seed = Number(v());
  else if (a === '--count') opt.count = Number(v());
  else if (a === '--parevm') opt.parevm = resolve(v());
  else if (a === '--verbose') opt.verbose = true;
  else {
    console.error(`bal.mjs: unknown argument '${a}'`);
    process.exit(2);
  }
}

const BAL_FORKS = ['Prague', 'Osaka'];
const families = FAMILIES.filter((f) => BAL_FORKS.includes(f.fork) && (opt.family ? opt.family.includes(f.name) : f.enabled));

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
let t0 = Date.now();
for (const fam of families) {
  const n = Math.min(opt.count, fam.count);
  const before = { ...tally };
  for (let index = 0; index < n; index++) {
    const rng = new Rng(caseSeed(fam.name, opt.seed, index));
    const c = { family: fam.name, fork: fam.fork, index, seed: opt.seed, ...fam.generate(rng, index) };
    const [ej, pv] = await Promise.all([
      runEthereumjs(c, { eips: [7928] }).catch((err) => ({ error: 'ethereumjs crashed: ' + err.message })),
      Promise.resolve(parevmBal(c)),
    ]);
    if (ej.error !== undefined || pv.error !== undefined) {
      tally.refused++;
      if (opt.verbose) console.log(`skip ${fam.name} case ${index}: ${ej.error ?? ''} ${pv.error ?? ''}`);
      continue;
    }
    if (ej.stateRoot !== pv.stateRoot) {
      tally.execDiffers++;
      if (opt.verbose) console.log(`skip ${fam.name} case ${index}: execution differs (state root)`);
      continue;
    }
    const eb = ej.vm.evm.blockLevelAccessList;
    const erlp = h(eb.serialize());
    if (erlp === pv.rlp) {
      tally.passed++;
      continue;
    }
    tally.failed++;
    const why = firstDifference(RLP.decode(pv.rlp), RLP.decode(erlp));
    console.log(`FAIL ${fam.name} case ${index} (${c.name ?? ''}), ${c.txs.length} tx(s): ${why}`);
    if (opt.verbose) console.log(`    rerun: node tests/diff/run.mjs --family ${fam.name} --seed ${opt.seed} --case ${index}`);
  }
  console.log(`family ${fam.name} (${fam.fork}): ${n} cases: ${tally.passed - before.passed} passed, ${tally.failed - before.failed} failed, ` +
    `${tally.execDiffers - before.execDiffers} executed differently, ${tally.refused - before.refused} refused`);
}
console.log(`(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
console.log(`${tally.passed} passed, ${tally.failed} failed`);
process.exit(tally.failed ? 1 : 0);
