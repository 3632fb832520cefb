// Runs graphql-http's server audits against the URL given and fails on any failed
// MUST or SHOULD. MAY audits are reported but do not fail the run.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
let failed = 0;
for (const result of results) {
  const level = result.name.split(' ')[0];
  if (result.status === 'ok') continue;
  const blocking = level === 'MUST' || level === 'SHOULD';
  if (blocking) failed += 1;
  console.log(`${blocking ? 'FAIL' : 'note'} [${result.status}] ${result.name}: ${result.reason}`);
}
const passed = results.length - failed;
console.log(`graphql-http audit: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
