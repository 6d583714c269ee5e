// Compares the normalized results of parevm and @ethereumjs/vm; returns a
// list of human-readable differences (empty: they agree).

const nonEmpty = (list) => list.filter((h) => h.replace(/^0x/, '').length > 2).map((h) => h.toLowerCase());
const stripType = (list) => list.map((h) => '0x' + h.replace(/^0x/, '').slice(2));

/** opts.ignoreRequests: leave EIP-7685 out (while parevm lacks it). */
export function compareResults(pv, ej, opts = {}) {
  const d = [];
  if (pv.error !== undefined || ej.error !== undefined) {
    // Both refuse the block (an invalid deposit log, say): agreement.
    if (pv.error !== undefined && ej.error !== undefined) return d;
    if (pv.error !== undefined) d.push(`parevm failed (exit ${pv.exitCode}): ${pv.error}; ethereumjs ran the block`);
    else d.push(`ethereumjs refused the block (${ej.error}); parevm ran it`);
    return d;
  }
  if ((pv.stateRoot ?? '').toLowerCase() !== ej.stateRoot.toLowerCase()) d.push(`stateRoot: parevm ${pv.stateRoot} ethereumjs ${ej.stateRoot}`);
  if (pv.gasUsed !== ej.gasUsed) d.push(`gasUsed: parevm ${pv.gasUsed} ethereumjs ${ej.gasUsed}`);
  const pr = pv.rejected.join(','), er = ej.rejected.join(',');
  if (pr !== er) d.push(`rejected: parevm [${pr}] ethereumjs [${er}]` + ` (parevm: ${JSON.stringify(pv.rejectedWhy)}; ethereumjs: ${JSON.stringify(ej.rejectedWhy)})`);
  if (pv.receipts.length !== ej.receipts.length) d.push(`receipts: parevm ${pv.receipts.length} ethereumjs ${ej.receipts.length}`);
  const n = Math.min(pv.receipts.length, ej.receipts.length);
  for (let k = 0; k < n; k++) {
    const a = pv.receipts[k], b = ej.receipts[k];
    const at = `receipt ${k} (tx ${b.index})`;
    if (a.status !== b.status) d.push(`${at} status: parevm ${a.status} ethereumjs ${b.status}`);
    if (a.cumulativeGasUsed !== b.cumulativeGasUsed) d.push(`${at} cumulativeGasUsed: parevm ${a.cumulativeGasUsed} ethereumjs ${b.cumulativeGasUsed}`);
    if (a.gasUsed !== b.gasUsed) d.push(`${at} gasUsed: parevm ${a.gasUsed} ethereumjs ${b.gasUsed}`);
    const la = JSON.stringify(a.logs), lb = JSON.stringify(b.logs.map((l) => ({ address: l.address.toLowerCase(), topics: l.topics, data: l.data })));
    if (la !== lb) d.push(`${at} logs: parevm ${la} ethereumjs ${lb}`);
  }
  if (opts.ignoreRequests) return d;
  if (ej.requestsHash !== undefined) {
    if (pv.requestsHash === undefined) d.push(`requestsHash: missing from parevm's result; ethereumjs ${ej.requestsHash}`);
    else if (pv.requestsHash.toLowerCase() !== ej.requestsHash.toLowerCase()) d.push(`requestsHash: parevm ${pv.requestsHash} ethereumjs ${ej.requestsHash}`);
    if (pv.requests !== undefined) {
      // t8n writes the non-empty requests; accept them with or without
      // their type byte, as long as the contents agree.
      const p = nonEmpty(pv.requests).join(','), e = nonEmpty(ej.requests);
      if (p !== e.join(',') && p !== stripType(e).join(',')) d.push(`requests: parevm ${JSON.stringify(pv.requests)} ethereumjs ${JSON.stringify(ej.requests)}`);
    }
  } else if (pv.requestsHash !== undefined) d.push(`requestsHash: parevm reports ${pv.requestsHash} before EIP-7685`);
  return d;
}
