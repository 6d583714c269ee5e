// The families, in one place. `enabled` is the switch: the test.sh stage
// runs the enabled ones (run.mjs --all runs every one; --family picks).
// A family whose fork parevm refuses outright (t8n exit 3) is reported as
// skipped, not failed.
import cancun from './families/cancun.mjs';

const on = (f, enabled = true) => ({ ...f, enabled });

export const FAMILIES = [
  on(cancun),
];
