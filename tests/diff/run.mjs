#!/usr/bin/env node
// Differential test: parevm t8n against @ethereumjs/vm on generated cases.
//
//   node tests/diff/run.mjs [--family a,b] [--seed N] [--count N] [--case I]
//                           [--parevm PATH] [--out DIR] [--threads N,M] [-j N]
//                           [--all] [--list] [--quiet] [--ignore-requests]
//                           [--max-repro N]
//
// Each family (tests/diff/families.mjs) generates `count` cases from the
// seed; every case runs through both and the results are compared (state
// root, gas used, receipts, rejected transactions, requests); parevm runs
// once per --threads count (default 1,4: sequential and the parallel
// engine; blocks of one transaction only sequentially). A
// disagreement writes a reproducer under --out (default
// build/diff-failures/) and prints it. The run ends with the line
// "N passed, N failed" and exits 1 on any failure.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAMILIES } from './families.mjs';
import { caseSeed, Rng, baseEnv, keccakHex, pad32 } from './lib.mjs';
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex, hexToBytes } from '@ethereumjs/util';
import { runEthereumjs, dumpAccounts } from './ejs.mjs';
import { runParevm, parevmAlloc, t8nArgs } from './parevm.mjs';
import { compareResults } from './compare.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const opt = { seed: 1, parevm: join(root, 'build/parevm'), out: join(root, 'build/diff-failures'), threads: [1, 4], jobs: 2, maxRepro: 10, all: false, list: false, quiet: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i], v = () => argv[++i];
  if (a === '--family') opt.family = v().split(',');
  else if (a === '--seed') opt.seed = Number(v());
  else if (a === '--count') opt.count = Number(v());
  else if (a === '--case') opt.caseIndex = Number(v());
  else if (a === '--parevm') opt.parevm = resolve(v());
  else if (a === '--out') opt.out = resolve(v());
  else if (a === '--threads') opt.threads = v().split(',').map(Number);
  else if (a === '-j') opt.jobs = Math.max(1, Number(v()));
  else if (a === '--all') opt.all = true;
  else if (a === '--list') opt.list = true;
  else if (a === '--quiet') opt.quiet = true;
  else if (a === '--ignore-requests') opt.ignoreRequests = true;
  else if (a === '--max-repro') opt.maxRepro = Number(v());
  else {
    console.error(`run.mjs: unknown argument '${a}' (see tests/diff/README.md)`);
    process.exit(2);
  }
}

if (opt.list) {
  for (const f of FAMILIES) console.log(`${f.name.padEnd(14)} ${f.fork.padEnd(7)} ${f.enabled ? 'on ' : 'off'} ${String(f.count).padStart(4)} cases  ${f.about}`);
  process.exit(0);
}

let families = FAMILIES.filter((f) => (opt.family ? opt.family.includes(f.name) : opt.all || f.enabled));
if (opt.family) {
  const unknown = opt.family.filter((n) => !FAMILIES.some((f) => f.name === n));
  if (unknown.length) {
    console.error(`run.mjs: unknown family ${unknown.join(', ')} (--list shows them)`);
    process.exit(2);
  }
}

if (!existsSync(opt.parevm)) {
  console.error(`run.mjs: parevm not found at ${opt.parevm} (make build/parevm, or --parevm PATH)`);
  process.exit(2);
}

/** Why parevm refuses `fork` outright (t8n exit 3 naming the fork), or null when it takes it. */
const forkSupport = new Map();
async function parevmRefusal(fork) {
  if (!forkSupport.has(fork)) {
    const r = await runParevm(opt.parevm, { fork, alloc: {}, env: baseEnv(fork), txs: [] });
    forkSupport.set(fork, r.exitCode === 3 && /fork/i.test(r.error) ? `parevm refuses ${fork}: ${r.error}` : null);
  }
  return forkSupport.get(fork);
}

function genCase(fam, index) {
  const rng = new Rng(caseSeed(fam.name, opt.seed, index));
  const c = fam.generate(rng, index);
  return { family: fam.name, fork: fam.fork, index, seed: opt.seed, ...c };
}

const jsonify = (o) => JSON.stringify(o, (k, v) => (typeof v === 'bigint' ? '0x' + v.toString(16) : k === 'vm' ? undefined : v), 2);

async function writeReproducer(c, pv, ej, diffs, threads) {
  const dir = join(opt.out, `${c.family}-seed${c.seed}-case${c.index}` + (threads > 1 ? `-threads${threads}` : ''));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'alloc.json'), JSON.stringify(c.alloc, null, 2));
  writeFileSync(join(dir, 'env.json'), JSON.stringify(c.env, null, 2));
  writeFileSync(join(dir, 'txs.json'), JSON.stringify(c.txs, null, 2));
  writeFileSync(join(dir, 'parevm.json'), jsonify(pv));
  writeFileSync(join(dir, 'ethereumjs.json'), jsonify(ej));
  writeFileSync(join(dir, 'diff.txt'), diffs.join('\n') + '\n');
  writeFileSync(join(dir, 'cmd.sh'), `#!/bin/sh\n# ${c.family} case ${c.index} (seed ${c.seed}): ${c.name ?? ''}\n# rerun both: node tests/diff/run.mjs --family ${c.family} --seed ${c.seed} --case ${c.index} --threads ${threads}\ncd "$(dirname "$0")" && ${opt.parevm} ${t8nArgs(c, { files: true, threads }).map((a) => (a === '' ? '""' : a)).join(' ')} --output.basedir .\n`);
  // Post-states side by side, for the accounts either side has.
  if (pv.error === undefined && ej.vm) {
    const pAlloc = (await parevmAlloc(opt.parevm, c, { threads })) ?? {};
    const addrs = new Set([...Object.keys(pAlloc), ...Object.keys(c.alloc)].map((a) => a.toLowerCase()));
    const eAlloc = await dumpAccounts(ej.vm, [...addrs]);
    const lines = [];
    for (const a of [...addrs].sort()) {
      const p = pAlloc[a] ?? pAlloc[a.replace(/^0x/, '')], e = eAlloc[a];
      const pb = p ? BigInt(p.balance ?? 0) : null, eb = e ? BigInt(e.balance) : null;
      const pn = p ? BigInt(p.nonce ?? 0) : null, en = e ? BigInt(e.nonce) : null;
      if (!p || !e) lines.push(`${a}: ${p ? 'only in parevm' : 'only in ethereumjs'}`);
      else {
        if (pb !== eb) lines.push(`${a} balance: parevm ${pb} ethereumjs ${eb}`);
        if (pn !== en) lines.push(`${a} nonce: parevm ${pn} ethereumjs ${en}`);
        if ((p.code ?? '0x').toLowerCase() !== (e.code === '0x' ? '0x' : e.code).toLowerCase()) lines.push(`${a} code: parevm ${p.code ?? '0x'} ethereumjs ${e.code}`);
        // @ethereumjs dumps storage by hashed key with RLP values: compare the same way.
        const ps = {}, es = {};
        for (const [k, v] of Object.entries(p.storage ?? {})) if (BigInt(v) !== 0n) ps[keccakHex('0x' + pad32(BigInt(k))).slice(2)] = BigInt(v).toString(16);
        for (const [k, v] of Object.entries(e.storage ?? {})) es[k.replace(/^0x/, '')] = BigInt(bytesToHex(RLP.decode(hexToBytes(v.startsWith('0x') ? v : '0x' + v))) || 0).toString(16);
        const keys = [...new Set([...Object.keys(ps), ...Object.keys(es)])].sort();
        const bad = keys.filter((k) => (ps[k] ?? '0') !== (es[k] ?? '0'));
        const pvals = '', evals = bad.length ? 'x' : '';
        if (pvals !== evals) lines.push(`${a} storage (by keccak(slot)): ` + bad.map((k) => `${k.slice(0, 8)}..: parevm ${ps[k] ?? 0} ethereumjs ${es[k] ?? 0}`).join('; '));
      }
    }
    writeFileSync(join(dir, 'post-diff.txt'), lines.join('\n') + '\n');
    writeFileSync(join(dir, 'alloc-parevm.json'), JSON.stringify(pAlloc, null, 2));
    writeFileSync(join(dir, 'alloc-ethereumjs.json'), JSON.stringify(eAlloc, null, 2));
    diffs.push(...lines.slice(0, 8).map((l) => 'post-state ' + l));
  }
  return dir;
}

async function runCase(fam, index, tally) {
  let c;
  try {
    c = genCase(fam, index);
  } catch (e) {
    tally.failed++;
    console.log(`FAIL ${fam.name} case ${index}: generator error: ${e.stack}`);
    return;
  }
  if (c.txs.length > 1) tally.multi++;
  // The reference once; parevm once per thread count (t8n runs the
  // parallel engine only for two or more transactions).
  const counts = opt.threads.filter((t, k) => t <= 1 || c.txs.length > 1 || k === 0);
  const [ej, ...pvs] = await Promise.all([
    runEthereumjs(c).catch((e) => ({ error: 'ethereumjs crashed: ' + e.stack })),
    ...counts.map((t) => runParevm(opt.parevm, c, { threads: t })),
  ]);
  let bad = null;
  for (let k = 0; k < counts.length && !bad; k++) {
    const diffs = compareResults(pvs[k], ej, { ignoreRequests: opt.ignoreRequests });
    if (diffs.length) bad = { diffs, pv: pvs[k], threads: counts[k] };
  }
  if (ej.error !== undefined && pvs.every((p) => p.error !== undefined)) tally.bothRefused++;
  if (!bad) {
    tally.passed++;
    return;
  }
  tally.failed++;
  // Full reproducers for the first few failures of a family; the rest are
  // counted (each reruns alone with --case).
  const where = `${fam.name} case ${c.index} (${c.name ?? ''}), ${c.txs.length} tx(s), --threads ${bad.threads}`;
  if (tally.failed > opt.maxRepro) {
    if (!opt.quiet) console.log(`FAIL ${where}`);
    return;
  }
  const dir = await writeReproducer(c, bad.pv, ej, bad.diffs, bad.threads);
  if (!opt.quiet || tally.failed <= 3) {
    console.log(`FAIL ${where}; reproducer: ${dir}`);
    for (const l of bad.diffs.slice(0, 12)) console.log('    ' + l);
  }
}

const start = Date.now();
let passed = 0, failed = 0, multi = 0;
for (const fam of families) {
  const t0 = Date.now();
  const refused = await parevmRefusal(fam.fork);
  const count = opt.count ?? fam.count;
  const tally = { passed: 0, failed: 0, multi: 0, bothRefused: 0 };
  const indices = opt.caseIndex !== undefined ? [opt.caseIndex] : [...Array(count).keys()];
  if (refused) {
    console.log(`family ${fam.name} (${fam.fork}): skipped: ${refused}`);
    continue;
  }
  let next = 0;
  const worker = async () => {
    while (next < indices.length) await runCase(fam, indices[next++], tally);
  };
  await Promise.all(Array.from({ length: opt.jobs }, worker));
  passed += tally.passed;
  failed += tally.failed;
  multi += tally.multi;
  console.log(`family ${fam.name} (${fam.fork}): ${indices.length} cases, ${tally.multi} multi-tx blocks, ${tally.bothRefused} refused by both: ${tally.passed} passed, ${tally.failed} failed [${((Date.now() - t0) / 1000).toFixed(1)} s]`);
}
console.log(`diff-ethereumjs: seed ${opt.seed}, ${multi} multi-transaction blocks, ${((Date.now() - start) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
