// Runs one case through `parevm t8n` (one process per case, the case on
// stdin as {alloc, env, txs}, the result on stdout) and returns the same
// normalized result as ejs.mjs, or { error, exitCode } when t8n fails.
import { spawn } from 'node:child_process';

const big = (h) => (h === undefined || h === null || h === '0x' ? 0n : BigInt(h));

/** The t8n command line for a case (also written into reproducers). */
export function t8nArgs(c, { threads = 1, files = false } = {}) {
  const input = files
    ? ['--input.alloc', 'alloc.json', '--input.env', 'env.json', '--input.txs', 'txs.json']
    : ['--input.alloc', 'stdin', '--input.env', 'stdin', '--input.txs', 'stdin'];
  return ['t8n', ...input, '--state.fork', c.fork, '--state.chainid', '1', '--state.reward', '-1',
    '--output.result', files ? 'result.json' : 'stdout', '--output.alloc', files ? 'alloc-post.json' : '',
    ...(threads > 1 ? ['--threads', String(threads)] : [])];
}

function run(bin, args, stdin) {
  return new Promise((resolve) => {
    const p = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [], err = [];
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => err.push(d));
    p.on('error', (e) => resolve({ code: -1, stdout: '', stderr: String(e) }));
    p.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    p.stdin.on('error', () => {});
    p.stdin.end(stdin);
  });
}

/** Normalize t8n's result object (geth's format). */
export function normalizeT8n(result, ntx) {
  const rejected = (result.rejected ?? []).map((r) => r.index).sort((a, b) => a - b);
  const rejectedWhy = Object.fromEntries((result.rejected ?? []).map((r) => [r.index, r.error]));
  const included = [];
  for (let i = 0; i < ntx; i++) if (!rejected.includes(i)) included.push(i);
  let prev = 0n;
  const receipts = (result.receipts ?? []).map((r, k) => {
    const cum = big(r.cumulativeGasUsed);
    const o = {
      index: included[k] ?? -1,
      status: Number(big(r.status)),
      cumulativeGasUsed: cum,
      gasUsed: cum - prev,
      logs: (r.logs ?? []).map((l) => ({ address: l.address.toLowerCase(), topics: l.topics.map((t) => t.toLowerCase()), data: (l.data || '0x').toLowerCase() })),
    };
    prev = cum;
    return o;
  });
  const out = { stateRoot: result.stateRoot, gasUsed: big(result.gasUsed), receipts, rejected, rejectedWhy };
  if (result.requests !== undefined) out.requests = result.requests;
  if (result.requestsHash !== undefined) out.requestsHash = result.requestsHash;
  return out;
}

export async function runParevm(bin, c, opts = {}) {
  const stdin = JSON.stringify({ alloc: c.alloc, env: c.env, txs: c.txs });
  const r = await run(bin, t8nArgs(c, opts), stdin);
  if (r.code !== 0) return { error: (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | '), exitCode: r.code };
  let parsed;
  try {
    parsed = JSON.parse(r.stdout);
  } catch (e) {
    return { error: 'unparsable t8n output: ' + e.message, exitCode: r.code };
  }
  return normalizeT8n(parsed.result ?? parsed, c.txs.length);
}

/** parevm's post-state (for a reproducer's diff). */
export async function parevmAlloc(bin, c, opts = {}) {
  const stdin = JSON.stringify({ alloc: c.alloc, env: c.env, txs: c.txs });
  const args = t8nArgs(c, opts);
  const i = args.indexOf('--output.alloc');
  args[i + 1] = 'stdout';
  const r = await run(bin, args, stdin);
  try {
    return JSON.parse(r.stdout).alloc;
  } catch {
    return null;
  }
}
