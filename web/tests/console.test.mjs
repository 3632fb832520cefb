// The members console against a live roster server: two admins on one list, a team
// owner, the error for an invitation accepted meanwhile, resuming after going offline,
// and the accept page behind the emailed link.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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

/** The server's SQLite file: set by scripts/browser-tests when it started the server itself. */
const ROSTER_DB = process.env.ROSTER_DB ?? '';

/** An event cursor's scope id and position (`event:<scope id>:<position>`, base64url). */
function decodeEventCursor(cursor) {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^event:(.+):(\d+)$/.exec(text);
  if (!m) throw new Error(`not an event cursor: ${text}`);
  return { scopeId: m[1], position: Number(m[2]) };
}

/**
 * What the server's retention pruning does, done now: deletes a list's events up to and
 * including `position` from the server's database (an ordinary connection, which is safe
 * beside the server's WAL; the busy timeout waits out its writers). Returns the number of
 * rows deleted.
 */
function pruneEvents(scopeId, position) {
  const out = execFileSync(
    'python3',
    [
      '-c',
      `import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=10)
n = c.execute('DELETE FROM member_list_events WHERE scope_id = ? AND position <= ?', (sys.argv[2], int(sys.argv[3]))).rowcount
c.commit()
c.close()
print(n)`,
      ROSTER_DB,
      scopeId,
      String(position),
    ],
    { encoding: 'utf8' },
  );
  return Number(out.trim());
}

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

  test('CURSOR_EXPIRED on resuming: the list reads its page again, follows the new eventCursor, and stays live', async (t) => {
    if (!ROSTER_DB) {
      t.skip('ROSTER_DB is not set (ROSTER_URL given from outside): this test prunes the server’s events in its SQLite file');
      return;
    }
    const scope = { organizationId: org.id };
    const eventCursor = async () =>
      (await gql(`query($s: MembershipScope!) { members(scope: $s, first: 1) { eventCursor } }`, { s: scope }, A.token))
        .members.eventCursor;
    const ctx = await signedInContext(browser, A.token);
    try {
      const page = await ctx.newPage();
      pageProblems.push(watchPage(page));
      // Watch (not touch) the traffic: the socket's frames and the Members queries' answers.
      const received = [];
      const sent = [];
      page.on('websocket', (ws) => {
        ws.on('framereceived', (f) => received.push(String(f.payload)));
        ws.on('framesent', (f) => sent.push(String(f.payload)));
      });
      const membersAnswers = [];
      page.on('response', async (res) => {
        if (!res.url().endsWith('/graphql') || res.request().method() !== 'POST') return;
        if (!/"operationName":"Members"/.test(res.request().postData() ?? '')) return;
        try {
          membersAnswers.push((await res.json()).data?.members ?? null);
        } catch {
          membersAnswers.push(null);
        }
      });
      await page.goto(managePath(org.id));
      await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor({ timeout: 15_000 });
      const seen = decodeEventCursor(await eventCursor());
      await page.evaluate(() => (window.__noReload = true));

      await ctx.setOffline(true);
      await page.getByRole('status').filter({ hasText: /Reconnecting/ }).first().waitFor({ timeout: 30_000 });
      const ivy = uniqueEmail('ivy');
      const jack = uniqueEmail('jack');
      await invite(A.token, scope, ivy);
      await invite(A.token, scope, jack);
      const newest = decodeEventCursor(await eventCursor());
      assert.equal(newest.scopeId, seen.scopeId);
      assert.ok(newest.position >= seen.position + 2, `two events after the page's ${seen.position}, at ${newest.position}`);
      // The events right after the page's cursor are gone: resuming from it cannot be done.
      const pruned = pruneEvents(newest.scopeId, newest.position);
      assert.ok(pruned >= 2, `pruned ${pruned} events`);
      assert.equal(await row(page, ivy).count(), 0, 'offline, the change cannot have arrived');
      const membersBefore = membersAnswers.length;
      const sentBefore = sent.length;

      await ctx.setOffline(false);
      await row(page, ivy).waitFor({ timeout: 20_000 });
      await row(page, jack).waitFor({ timeout: 5_000 });
      assert.equal(await row(page, ivy).locator('.badge').innerText(), 'unverified');
      assert.ok(
        received.some((f) => f.includes('"CURSOR_EXPIRED"')),
        'the server answered the resubscription with CURSOR_EXPIRED',
      );
      // The rows came from reading the page again, and the list follows that page's eventCursor.
      const reloaded = membersAnswers.slice(membersBefore).filter(Boolean);
      assert.equal(reloaded.length, 1, 'the page of members was read again once');
      const reloadedCursor = reloaded[0].eventCursor;
      assert.equal(decodeEventCursor(reloadedCursor).position, newest.position);
      const followed = sent
        .slice(sentBefore)
        .map((f) => JSON.parse(f))
        .filter((m) => m.type === 'subscribe' && m.payload?.operationName === 'MemberListChanged')
        .map((m) => m.payload.variables.after);
      assert.equal(followed.at(-1), reloadedCursor, 'the list subscribes again from the new eventCursor');
      assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was reloaded');
      await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor();
      assert.equal(await page.getByText(/Live updates stopped/).count(), 0);

      // And it stays live from there.
      const kate = uniqueEmail('kate');
      await invite(A.token, scope, kate);
      await row(page, kate).waitFor({ timeout: 5_000 });
      assert.equal(membersAnswers.length, membersBefore + 1, 'the new row came live, not from another reload');
      assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was reloaded');
      await row(page, kate).scrollIntoViewIfNeeded();
      await screenshot(page, 'cursor-expired-reloaded');
    } finally {
      await ctx.close();
    }
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
    // The team's own Members tab: the sidebar may also list the organization's Members
    // link once the organizations have loaded, so the bare name is ambiguous.
    await page.getByRole('navigation', { name: 'Team sections' }).getByRole('link', { name: 'Members' }).waitFor();
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
