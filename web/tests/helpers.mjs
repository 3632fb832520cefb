// Shared by the browser tests: the server under test, GraphQL over fetch, invitation
// links from the server's log, and a Chromium that never leaves this machine.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROSTER_URL = (process.env.ROSTER_URL ?? '').replace(/\/$/, '');
export const ROSTER_LOG = process.env.ROSTER_LOG ?? '';
if (!ROSTER_URL) throw new Error('ROSTER_URL is not set (run the tests with scripts/browser-tests)');

const here = dirname(fileURLToPath(import.meta.url));
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? join(here, '..', '..', 'target', 'browser-screenshots');
mkdirSync(SCREENSHOT_DIR, { recursive: true });
export const COMMITTED_SCREENSHOT = join(here, '..', 'screenshots', 'console.png');

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium with a fresh profile (playwright makes a new temporary user-data-dir). */
export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** A context that can reach only this machine: everything else is aborted and counted. */
export async function localContext(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...options });
  const blocked = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || LOCAL_HOSTS.has(url.hostname)) return route.continue();
    blocked.push(url.href);
    return route.abort('internetdisconnected');
  });
  context.blockedRequests = blocked;
  return context;
}

/** A signed-in context: the token is in localStorage before the console loads. */
export async function signedInContext(browser, token, options) {
  const context = await localContext(browser, options);
  await context.addInitScript((t) => {
    if (!sessionStorage.getItem('roster.test.seeded')) {
      localStorage.setItem('roster.token', t);
      sessionStorage.setItem('roster.test.seeded', '1');
    }
  }, token);
  return context;
}

/** Collects the page's Content-Security-Policy violations and uncaught errors. */
export function watchPage(page) {
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  return problems;
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: false });
}

export async function gql(query, variables = {}, token) {
  const res = await fetch(`${ROSTER_URL}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors?.length) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}

let counter = 0;
export function uniqueEmail(prefix) {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}@example.com`;
}

export const PASSWORD = 'correct horse battery staple';

export async function signUp(prefix, displayName) {
  const email = uniqueEmail(prefix);
  const data = await gql(
    `mutation($email: String!, $password: String!, $displayName: String) {
      signUp(email: $email, password: $password, displayName: $displayName) {
        __typename ... on SignUpSuccess { token user { id email } } ... on Error { message }
      }
    }`,
    { email, password: PASSWORD, displayName: displayName ?? prefix },
  );
  if (data.signUp.__typename !== 'SignUpSuccess') throw new Error(`signUp: ${JSON.stringify(data.signUp)}`);
  return { email, password: PASSWORD, token: data.signUp.token, id: data.signUp.user.id };
}

export async function createOrganization(token, name) {
  const data = await gql(
    `mutation($name: String!) { createOrganization(name: $name) {
      __typename ... on CreateOrganizationSuccess { organization { id name } } ... on Error { message } } }`,
    { name },
    token,
  );
  if (data.createOrganization.__typename !== 'CreateOrganizationSuccess') throw new Error(JSON.stringify(data));
  return data.createOrganization.organization;
}

export async function createTeam(token, organizationId, name) {
  const data = await gql(
    `mutation($o: ID!, $name: String!) { createTeam(organizationId: $o, name: $name) {
      __typename ... on CreateTeamSuccess { team { id name } } ... on Error { message } } }`,
    { o: organizationId, name },
    token,
  );
  if (data.createTeam.__typename !== 'CreateTeamSuccess') throw new Error(JSON.stringify(data));
  return data.createTeam.team;
}

/** Invites `email` and returns the invitee's user id and the token of the emailed link. */
export async function invite(token, scope, email, role = 'MEMBER') {
  const offset = logOffset();
  const data = await gql(
    `mutation($scope: MembershipScope!, $email: String!, $role: MemberRole) {
      inviteUser(scope: $scope, email: $email, role: $role) {
        __typename ... on InviteUserSuccess { member { user { id email } status } } ... on Error { message } } }`,
    { scope, email, role },
    token,
  );
  if (data.inviteUser.__typename !== 'InviteUserSuccess') throw new Error(JSON.stringify(data));
  return { userId: data.inviteUser.member.user.id, email, link: () => nextInvitationToken(offset) };
}

export async function accept(invitationToken, { password = PASSWORD, displayName, token } = {}) {
  const data = await gql(
    `mutation($t: String!, $p: String, $d: String) { acceptInvitation(token: $t, password: $p, displayName: $d) {
      __typename ... on AcceptInvitationSuccess { token user { id email } } ... on Error { message } } }`,
    { t: invitationToken, p: password, d: displayName },
    token,
  );
  if (data.acceptInvitation.__typename !== 'AcceptInvitationSuccess') throw new Error(JSON.stringify(data));
  return data.acceptInvitation;
}

/** The server log's current size: links logged after it belong to what follows. */
export function logOffset() {
  if (!ROSTER_LOG) throw new Error('ROSTER_LOG is not set: the tests read invitation links from the server log');
  try {
    return statSync(ROSTER_LOG).size;
  } catch {
    return 0;
  }
}

const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * The token of the first emailed link logged after `offset` whose path ends in `path`
 * (`accept`, `verify-email`, `reset-password`). With SMTP_URL unset the server logs
 * `link=<url>` for each email; invitation links end in `/console/accept?token=…` (or
 * `/invitations/accept?token=…` on older servers).
 */
export async function nextLinkToken(offset, path, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  const re = new RegExp(`link=("?)(\\S*?${path}\\?token=([A-Za-z0-9_\\-.~%]+))\\1(\\s|$)`);
  for (;;) {
    const text = readFileSync(ROSTER_LOG).subarray(offset).toString('utf8').replace(ANSI, '');
    for (const line of text.split('\n')) {
      const m = re.exec(line);
      if (m) return { token: decodeURIComponent(m[3]), link: m[2] };
    }
    if (Date.now() > deadline) throw new Error(`no ${path} link in ${ROSTER_LOG} after offset ${offset}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function nextInvitationToken(offset, timeoutMs) {
  return nextLinkToken(offset, 'accept', timeoutMs);
}

/** Whether the server's schema has a type (features that arrive with newer servers). */
export async function hasType(name) {
  const data = await gql(`query($n: String!) { __type(name: $n) { name } }`, { n: name });
  return data.__type !== null;
}

/** Whether a type of the server's schema has a field. */
export async function hasField(type, field) {
  const data = await gql(`query($n: String!) { __type(name: $n) { fields { name } } }`, { n: type });
  return !!data.__type?.fields?.some((f) => f.name === field);
}

export function saveCommittedScreenshot(buffer) {
  if (process.env.ROSTER_UPDATE_SCREENSHOT !== '1') return;
  mkdirSync(dirname(COMMITTED_SCREENSHOT), { recursive: true });
  writeFileSync(COMMITTED_SCREENSHOT, buffer);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
