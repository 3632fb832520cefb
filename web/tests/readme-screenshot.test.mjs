// web/screenshots/console.png, the console as the project README shows it. Runs only with
// ROSTER_UPDATE_SCREENSHOT=1, against a fresh server (it signs up fixed addresses).
import { after, before, test } from 'node:test';
import {
  accept,
  createOrganization,
  gql,
  hasField,
  invite,
  launch,
  logOffset,
  nextLinkToken,
  PASSWORD,
  ROSTER_URL,
  saveCommittedScreenshot,
  screenshot,
  signedInContext,
} from './helpers.mjs';

const enabled = process.env.ROSTER_UPDATE_SCREENSHOT === '1';
let browser;
before(async () => {
  if (enabled) browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('the README screenshot of Admin → Manage Organization', { skip: !enabled && 'set ROSTER_UPDATE_SCREENSHOT=1' }, async (t) => {
  const domain = 'northwind.example';
  const offset = logOffset();
  const signUp = await gql(
    `mutation($e: String!, $p: String!) { signUp(email: $e, password: $p, displayName: "Ana Lima") {
      __typename ... on SignUpSuccess { token } ... on Error { message } } }`,
    { e: `ana.lima@${domain}`, p: PASSWORD },
  );
  if (signUp.signUp.__typename !== 'SignUpSuccess') {
    t.skip(`needs a fresh server (${signUp.signUp.message})`);
    return;
  }
  const token = signUp.signUp.token;
  if (await hasField('Mutation', 'verifyEmail')) {
    const link = await nextLinkToken(offset, 'verify-email');
    await gql(`mutation($t: String!) { verifyEmail(token: $t) { __typename } }`, { t: link.token }, token);
  }
  const org = await createOrganization(token, 'Northwind Traders');
  const scope = { organizationId: org.id };
  for (const [email, name, role] of [
    [`ben.okafor@${domain}`, 'Ben Okafor', 'ADMIN'],
    [`chloe.martin@${domain}`, 'Chloé Martin', 'MEMBER'],
  ]) {
    const inv = await invite(token, scope, email, role);
    await accept((await inv.link()).token, { displayName: name });
  }
  await invite(token, scope, `dan.reyes@${domain}`);
  await invite(token, scope, `eva.novak@${domain}`, 'ADMIN');

  const context = await signedInContext(browser, token, { viewport: { width: 1200, height: 860 } });
  const page = await context.newPage();
  await page.goto(`${ROSTER_URL}/console/org/${org.id}/manage`);
  await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor();
  await page.locator(`tr[data-email="dan.reyes@${domain}"]`).waitFor();
  await page.getByRole('button', { name: `Actions for dan.reyes@${domain}` }).click();
  await page.getByRole('menuitem', { name: 'Cancel invitation' }).hover();
  await screenshot(page, 'readme-console');
  saveCommittedScreenshot(await page.screenshot());
  await context.close();
});
