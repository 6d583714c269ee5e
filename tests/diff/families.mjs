// The families, in one place. `enabled` is the switch: the test.sh stage
// runs the enabled ones (run.mjs --all runs every one; --family picks).
// A family whose fork parevm refuses outright (t8n exit 3, "fork") is
// reported as skipped, not failed; a fork parevm accepts but gets wrong
// fails.
import cancun from './families/cancun.mjs';
import eip7702, { eip7702Amsterdam } from './families/eip7702.mjs';
import bls from './families/bls.mjs';
import floor, { floor7976, floor7981, floor7778, floor8038 } from './families/floor.mjs';
import requests, { requests8282 } from './families/requests.mjs';
import history from './families/history.mjs';
import p256 from './families/p256.mjs';
import clz from './families/clz.mjs';
import modexp from './families/modexp.mjs';
import gascap from './families/gascap.mjs';
import { pragueMix, osakaMix, mix7778, mix8038, mix8037, mixAmsterdam } from './families/mix.mjs';
import bytecode, { bytecodeOsaka, bytecode8038, bytecode8037, bytecodeAmsterdam } from './families/bytecode.mjs';
import { eip8024, eip7843, eip7954, eip7708, eip8246, eip7708and8246, eip8038, sstore8038, eip7997, eip8037 } from './families/amsterdam.mjs';

const on = (f, enabled = true) => ({ ...f, enabled });

export const FAMILIES = [
  on(cancun), // the harness's own check: must always agree
  // Prague (EIP-7600)
  on(eip7702),
  on(bls),
  on(floor),
  on(requests),
  on(history),
  on(pragueMix),
  // Osaka (EIP-7607)
  on(p256),
  on(clz),
  on(modexp),
  on(gascap),
  on(osakaMix),
  // random bytecode on a random small pre-state (issue 21)
  on(bytecode),
  on(bytecodeOsaka),
  // Amsterdam (EIP-7773), one EIP at a time over BPO2
  on(eip8024),
  on(eip7843),
  on(eip7954),
  on(floor7976),
  on(floor7981),
  on(eip7708),
  on(eip8246),
  on(eip7708and8246),
  on(floor7778),
  on(mix7778),
  on(bytecode8038),
  on(mix8038),
  on(floor8038),
  on(eip8038),
  on(sstore8038),
  on(requests8282),
  on(eip7997),
  on(mix8037),
  on(bytecode8037),
  on(mixAmsterdam),
  on(bytecodeAmsterdam),
  on(eip7702Amsterdam),
  on(eip8037),
];
