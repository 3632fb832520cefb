// The members console against a live roster server: two admins on one list, a team
// owner, the error for an invitation accepted meanwhile, resuming after going offline,
// and the accept page behind the emailed link.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  accept,
  createOrganization,
  createTeam,
  gql,
  hasField,
  invite,
  launch,
  localContext,
  logOffset,
  nextInvitationToken,
  PASSWORD,
  ROSTER_URL,
  screenshot,
  signedInContext,
  signUp,
  sleep,
  uniqueEmail,
  watchPage,
} from './helpers.mjs';

let browser;
/** Admin A (signed up), the organization, and admin B (joined through an invitation). */
let A, B, org;

before(async () => {
  browser = await launch();
  A = await signUp('ana', 'Ana Admin');
  org = await createOrganization(A.token, 'Acme Test');
  const bEmail = uniqueEmail('ben');
  const invitation = await invite(A.token, { organizationId: org.id }, bEmail, 'ADMIN');
  const { token } = await invitation.link();
  const joined = await accept(token, { password: PASSWORD, displayName: 'Ben Admin' });
  B = { email: bEmail, token: joined.token, id: joined.user.id };
});

after(async () => {
  await browser?.close();
});

async function availableActions(token, scope, email) {
  const data = await gql(
    `query($scope: MembershipScope!) { members(scope: $scope, first: 100) { nodes { user { email } availableActions } } }`,
    { scope },
    token,
  );
  return data.members.nodes.find((n) => n.user.email === email).availableActions;
}

const managePath = (orgId) => `${ROSTER_URL}/console/org/${orgId}/manage`;
const row = (page, email) => page.locator(`tr[data-email="${email}"]`);

const pageProblems = [];
async function openList(context, url) {
  const page = await context.newPage();
  pageProblems.push(watchPage(page));
  await page.goto(url);
  await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor({ timeout: 15_000 });
  return page;
}

describe('Admin → Manage Organization', () => {
  let ctxA, ctxB, pageA, pageB;

  before(async () => {
    ctxA = await signedInContext(browser, A.token);
    ctxB = await signedInContext(browser, B.token);
  });
  after(async () => {
    await ctxA?.close();
    await ctxB?.close();
  });

  test('A cancels a pending invitation from the ⋮ menu; B’s list drops the row within 1 s; the audit log records it', async () => {
    const carol = uniqueEmail('carol');
    await invite(A.token, { organizationId: org.id }, carol);
    const dave = uniqueEmail('dave');
    await invite(A.token, { organizationId: org.id }, dave, 'ADMIN');

    pageA = await openList(ctxA, managePath(org.id));
    pageB = await openList(ctxB, managePath(org.id));
    for (const page of [pageA, pageB]) {
      await row(page, carol).waitFor();
      assert.equal(await row(page, carol).locator('.badge').innerText(), 'unverified');
    }
    await pageB.evaluate(() => (window.__noReload = true));

    // The menu offers exactly the row's availableActions, and is keyboard-operable.
    const menuButton = pageA.getByRole('button', { name: `Actions for ${carol}` });
    await menuButton.focus();
    await pageA.keyboard.press('Enter');
    const items = pageA.getByRole('menuitem');
    const labels = {
      RESEND_INVITATION: 'Resend invitation',
      CANCEL_INVITATION: 'Cancel invitation',
      CHANGE_ROLE: 'Change role',
      REMOVE_MEMBER: 'Remove member',
    };
    const actions = await availableActions(A.token, { organizationId: org.id }, carol);
    assert.ok(actions.includes('CANCEL_INVITATION'));
    assert.deepEqual(
      (await items.allInnerTexts()).sort(),
      actions.map((a) => labels[a]).sort(),
      'the menu offers exactly the row’s availableActions',
    );
    assert.equal(await menuButton.getAttribute('aria-expanded'), 'true');
    await pageA.keyboard.press('Escape');
    assert.equal(await menuButton.getAttribute('aria-expanded'), 'false');
    await menuButton.click();
    await screenshot(pageA, 'manage-organization-menu');

    const start = Date.now();
    await pageA.getByRole('menuitem', { name: 'Cancel invitation' }).click();
    // No confirmation dialog: the row leaves A's list at once…
    await row(pageA, carol).waitFor({ state: 'detached', timeout: 2_000 });
    // …and B's list drops it by itself, without a reload.
    await row(pageB, carol).waitFor({ state: 'detached', timeout: Math.max(1, 1_000 - (Date.now() - start)) });
    const elapsed = Date.now() - start;
    assert.ok(elapsed <= 1_000, `B saw the cancellation after ${elapsed} ms`);
    assert.equal(await pageB.evaluate(() => window.__noReload), true);
    assert.equal(await row(pageB, dave).count(), 1);
    await screenshot(pageB, 'manage-organization-after-cancel-b');

    await pageA.getByRole('link', { name: 'Audit log' }).click();
    const entry = pageA.locator('table.audit tr[data-code="INVITATION_CANCELLED"]').first();
    await entry.waitFor();
    assert.match(await entry.innerText(), /Admin cancelled user invite/);
    assert.match(await entry.innerText(), new RegExp(carol.replace(/[.+]/g, '\\$&')));
    assert.match(await entry.innerText(), new RegExp(A.email.replace(/[.+]/g, '\\$&')));
    await screenshot(pageA, 'audit-log');
    await pageA.goBack();
  });

  test('a cancel on a member who accepted meanwhile shows “Can only cancel invites for invited users”', async () => {
    const erin = uniqueEmail('erin');
    const invitation = await invite(A.token, { organizationId: org.id }, erin);
    const { token } = await invitation.link();
    const page = pageA ?? (await openList(ctxA, managePath(org.id)));
    await page.goto(managePath(org.id));
    await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor();
    await row(page, erin).waitFor();

    await page.getByRole('button', { name: `Actions for ${erin}` }).click();
    await page.getByRole('menuitem', { name: 'Cancel invitation' }).waitFor();
    // Erin accepts in the background while the menu is open.
    await accept(token, { displayName: 'Erin' });
    await row(page, erin).locator('.badge', { hasText: 'verified' }).filter({ hasNotText: 'unverified' }).waitFor();
    await page.getByRole('menuitem', { name: 'Cancel invitation' }).click();
    const error = row(page, erin).getByRole('alert');
    await error.waitFor();
    assert.equal(await error.innerText(), 'Can only cancel invites for invited users');
    assert.equal(await row(page, erin).count(), 1, 'the verified member stays in the list');
    await screenshot(page, 'cancel-verified-error');
  });

  test('offline and back: B’s list shows what changed meanwhile, without a reload', async () => {
    const page = pageB ?? (await openList(ctxB, managePath(org.id)));
    await page.evaluate(() => (window.__noReload = true));
    await ctxB.setOffline(true);
    await page.getByRole('status').filter({ hasText: /Reconnecting/ }).first().waitFor({ timeout: 30_000 });
    const frank = uniqueEmail('frank');
    await invite(A.token, { organizationId: org.id }, frank);
    await sleep(1_500);
    assert.equal(await row(page, frank).count(), 0, 'offline, the change cannot have arrived');
    await screenshot(page, 'offline-b');
    await ctxB.setOffline(false);
    await row(page, frank).waitFor({ timeout: 20_000 });
    assert.equal(await row(page, frank).locator('.badge').innerText(), 'unverified');
    assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was reloaded');
    await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor();
    await screenshot(page, 'back-online-b');
  });

  test('Change role: the role picker changes a pending member’s role, and B sees it', async (t) => {
    const hank = uniqueEmail('hank');
    await invite(A.token, { organizationId: org.id }, hank, 'MEMBER');
    assert.ok((await availableActions(A.token, { organizationId: org.id }, hank)).includes('CHANGE_ROLE'));
    const page = await openList(ctxA, managePath(org.id));
    await row(page, hank).waitFor();
    await page.getByRole('button', { name: `Actions for ${hank}` }).click();
    await page.getByRole('menuitem', { name: 'Change role' }).click();
    const picker = page.getByLabel(`Role for ${hank}`);
    await picker.waitFor();
    assert.deepEqual(await picker.locator('option').allInnerTexts(), ['Admin', 'Member']);
    await picker.selectOption('ADMIN');
    await screenshot(page, 'change-role');
    await row(page, hank).getByRole('button', { name: 'Save' }).click();
    await row(page, hank).getByText(/is now admin/).waitFor();
    await row(pageB, hank).locator('td[data-label="Role"]', { hasText: 'Admin' }).waitFor({ timeout: 2_000 });
    await page.close();
  });

  test('the accept page: the emailed link lets the invitee join, and A sees them verified', async (t) => {
    assert.ok(await hasField('Query', 'invitation'), 'the server offers invitation previews');
    const page = await openList(ctxA, managePath(org.id));
    const gina = uniqueEmail('gina');
    // A invites through the form.
    const offset = logOffset();
    await page.getByLabel('Invite by email').fill(gina);
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText(`Invitation sent to ${gina}.`).waitFor();
    await row(page, gina).waitFor();
    const { token } = await nextInvitationToken(offset);

    const guest = await localContext(browser, { viewport: { width: 390, height: 844 } });
    const p = await guest.newPage();
    await p.goto(`${ROSTER_URL}/console/accept?token=${encodeURIComponent(token)}`);
    const preview = p.getByTestId('invitation-preview');
    await preview.waitFor({ timeout: 15_000 });
    assert.match(await preview.innerText(), /Acme Test/);
    assert.match(await preview.innerText(), new RegExp(gina.replace(/[.+]/g, '\\$&')));
    await screenshot(p, 'accept-page-phone');
    await p.getByLabel('Your name').fill('Gina New');
    await p.getByLabel('New password').fill(PASSWORD);
    await p.getByRole('button', { name: 'Accept invitation' }).click();
    await p.waitForURL(new RegExp(`/console/org/${org.id}/manage$`), { timeout: 15_000 });
    await p.getByRole('heading', { name: 'Acme Test' }).waitFor();
    await screenshot(p, 'accepted-phone');

    await row(page, gina).locator('.badge-verified').waitFor({ timeout: 5_000 });
    assert.equal(await row(page, gina).locator('.who-name').innerText(), 'Gina New');
    await screenshot(page, 'manage-organization-accepted');

    // A used link: the accept page says so.
    await p.goto(`${ROSTER_URL}/console/accept?token=${encodeURIComponent(token)}`);
    await p.getByText('This invitation link is invalid or has expired').waitFor();
    assert.deepEqual(guest.blockedRequests, []);
    await guest.close();
    await page.close();
  });
});

describe('My Teams → team → Members', () => {
  test('a team owner cancels a pending team invitation', async () => {
    const team = await createTeam(A.token, org.id, 'Design');
    // Olga: an organization member who owns the team.
    const olgaEmail = uniqueEmail('olga');
    const orgInvite = await invite(A.token, { organizationId: org.id }, olgaEmail);
    const olga = await accept((await orgInvite.link()).token, { displayName: 'Olga Owner' });
    const teamInvite = await invite(A.token, { teamId: team.id }, olgaEmail, 'OWNER');
    await accept((await teamInvite.link()).token, { token: olga.token });
    const pete = uniqueEmail('pete');
    await invite(olga.token, { teamId: team.id }, pete);

    // Olga signs in through the form and finds the team under My Teams.
    const ctx = await localContext(browser);
    const page = await ctx.newPage();
    await page.goto(`${ROSTER_URL}/console/`);
    await page.getByLabel('Email').fill(olgaEmail);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'My Teams' }).click();
    await page.getByRole('link', { name: 'Design' }).click();
    await page.getByRole('link', { name: 'Members' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor();
    await row(page, pete).waitFor();
    assert.equal(await row(page, pete).locator('.badge').innerText(), 'unverified');
    await screenshot(page, 'team-members');

    await page.getByRole('button', { name: `Actions for ${pete}` }).click();
    await page.getByRole('menuitem', { name: 'Cancel invitation' }).click();
    await row(page, pete).waitFor({ state: 'detached', timeout: 2_000 });
    await sleep(300);
    assert.equal(await row(page, pete).count(), 0, 'the row stays gone when the event arrives');
    await screenshot(page, 'team-members-after-cancel');

    // Deleting the team ends the list's stream with SCOPE_DELETED: a notice, no more updates.
    if (await hasField('Mutation', 'deleteTeam')) {
      await gql(`mutation($t: ID!) { deleteTeam(teamId: $t) { __typename } }`, { t: team.id }, A.token);
      await page.getByText('This team was deleted.').waitFor({ timeout: 5_000 });
      await screenshot(page, 'team-deleted');
    }
    await ctx.close();
  });
});

test('no page of the console had a CSP violation or an uncaught error', () => {
  assert.deepEqual(pageProblems.flat(), []);
});
