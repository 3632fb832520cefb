// GraphiQL from web/dist/graphiql, with every request off this machine aborted: it must
// render, run a query with the bearer token typed into its Headers editor, and show a
// subscription's events (the token reaching the websocket's connection_init).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  createOrganization,
  gql,
  launch,
  localContext,
  ROSTER_URL,
  screenshot,
  signUp,
  sleep,
  uniqueEmail,
  watchPage,
} from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Replaces the whole text of the Monaco editor inside `container`. */
async function setEditorText(page, container, text) {
  await container.locator('.monaco-editor').first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
  // GraphiQL reads the editor's operation after a short debounce: let it catch up, or
  // Execute runs what was there before.
  await page.waitForFunction(
    ([sel, expected]) => document.querySelector(sel)?.textContent?.replace(/\s+/g, '').includes(expected),
    [await selectorOf(container), text.replace(/\s+/g, '').slice(0, 40)],
  );
  await sleep(600);
}

async function selectorOf(container) {
  return (await container.evaluate((el) => el.classList.contains('graphiql-query-editor')))
    ? '.graphiql-query-editor .view-lines'
    : '.graphiql-editor-tool .graphiql-editor:not(.hidden) .view-lines';
}

async function responseText(page) {
  return page.locator('.result-window').innerText();
}

test('GraphiQL works offline: a query with a bearer token, and a subscription event', async () => {
  const ana = await signUp('graphiql-ana', 'Ana');
  const org = await createOrganization(ana.token, 'GraphiQL Org');
  const context = await localContext(browser);
  const page = await context.newPage();
  const problems = watchPage(page);
  const sockets = [];
  page.on('websocket', (ws) => {
    const frames = [];
    ws.on('framesent', (f) => frames.push(String(f.payload)));
    sockets.push({ url: ws.url(), frames });
  });

  await page.goto(`${ROSTER_URL}/graphiql/`);
  const queryEditor = page.locator('.graphiql-query-editor');
  await queryEditor.locator('.monaco-editor').waitFor({ timeout: 30_000 });
  await page.getByText('viewer', { exact: false }).first().waitFor();
  await screenshot(page, 'graphiql-loaded');

  // The headers editor: open the Headers tab and type the token.
  await page.getByRole('button', { name: 'Headers', exact: true }).click();
  const headersEditor = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)');
  await setEditorText(page, headersEditor, JSON.stringify({ Authorization: `Bearer ${ana.token}` }));

  await setEditorText(page, queryEditor, '{ viewer { email } }');
  await page.getByRole('button', { name: /Execute query/ }).click();
  await page.waitForFunction((email) => document.querySelector('.result-window')?.textContent?.includes(email), ana.email, {
    timeout: 15_000,
  });
  await screenshot(page, 'graphiql-viewer');

  // A subscription over the websocket, authenticated by the same header.
  await setEditorText(
    page,
    queryEditor,
    `subscription { memberListChanged(scope: { organizationId: "${org.id}" }) { kind member { user { email } status } } }`,
  );
  await page.getByRole('button', { name: /Execute query/ }).click();
  // Wait until the socket has subscribed before causing the event.
  const deadline = Date.now() + 10_000;
  while (!sockets.some((s) => s.frames.some((f) => f.includes('"subscribe"')))) {
    assert.ok(Date.now() < deadline, 'GraphiQL did not open a subscription');
    await sleep(100);
  }
  const socket = sockets.find((s) => s.frames.some((f) => f.includes('"subscribe"')));
  assert.match(socket.url, /^ws:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/graphql$/);
  const init = JSON.parse(socket.frames.find((f) => f.includes('connection_init')));
  assert.equal(init.payload.Authorization, `Bearer ${ana.token}`);

  const invitee = uniqueEmail('graphiql-bob');
  await sleep(300);
  await gql(
    `mutation($scope: MembershipScope!, $email: String!) { inviteUser(scope: $scope, email: $email) { __typename } }`,
    { scope: { organizationId: org.id }, email: invitee },
    ana.token,
  );
  await page.waitForFunction((email) => document.querySelector('.result-window')?.textContent?.includes(email), invitee, {
    timeout: 15_000,
  });
  const text = await responseText(page);
  assert.match(text, /INVITED/);
  await screenshot(page, 'graphiql-subscription');

  assert.deepEqual(problems, [], 'CSP violations or uncaught errors');
  assert.deepEqual(context.blockedRequests, [], 'GraphiQL tried to load something from outside this machine');
  await context.close();
});
