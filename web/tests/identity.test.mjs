// The pages behind the identity emails: verify an email address, reset a forgotten
// password. Skipped on servers whose schema does not have these operations yet.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  gql,
  hasField,
  launch,
  localContext,
  logOffset,
  nextLinkToken,
  PASSWORD,
  ROSTER_URL,
  screenshot,
  signUp,
} from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('the verify-email link waits for a click, and asks for the password', async (t) => {
  assert.ok(await hasField('Mutation', 'verifyEmail'), 'the server verifies emails');
  const offset = logOffset();
  const user = await signUp('vera', 'Vera');
  const { token } = await nextLinkToken(offset, 'verify-email');
  const ctx = await localContext(browser);
  const page = await ctx.newPage();
  await page.goto(`${ROSTER_URL}/console/verify-email?token=${encodeURIComponent(token)}`);
  // Loading the page (as a link scanner would) verifies nothing.
  await page.getByRole('button', { name: 'Verify my email' }).waitFor();
  const viewer = `{ viewer { emailVerified } }`;
  assert.equal((await gql(viewer, {}, user.token)).viewer.emailVerified, false, 'not verified on load');
  // The click is not signed in as the account: the page asks for its password.
  await page.getByRole('button', { name: 'Verify my email' }).click();
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Verify my email' }).click();
  await page.locator('.field-error').waitFor();
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Verify my email' }).click();
  await page.getByText(`${user.email} is verified`).waitFor({ timeout: 10_000 });
  await screenshot(page, 'verify-email');
  assert.equal((await gql(viewer, {}, user.token)).viewer.emailVerified, true, 'her session stands');
  // The same link again: already used.
  await page.reload();
  await page.getByRole('button', { name: 'Verify my email' }).click();
  await page.getByRole('alert').waitFor();
  assert.deepEqual(ctx.blockedRequests, []);
  await ctx.close();
});

test('the verify-email link reclaims a squatted account with a new password', async (t) => {
  const offset = logOffset();
  const squatter = await signUp('owner', 'Owner (real)');
  const { token } = await nextLinkToken(offset, 'verify-email');
  const ctx = await localContext(browser);
  const page = await ctx.newPage();
  await page.goto(`${ROSTER_URL}/console/verify-email?token=${encodeURIComponent(token)}`);
  await page.getByRole('button', { name: 'Verify my email' }).click();
  await page.getByRole('button', { name: 'Choose a new password' }).click();
  const next = `${PASSWORD} (mine)`;
  await page.getByLabel('New password', { exact: true }).fill(next);
  await page.getByLabel('Repeat the new password').fill(next);
  await page.getByRole('button', { name: 'Verify my email' }).click();
  await page.getByText(`${squatter.email} is verified`).waitFor({ timeout: 10_000 });
  await page.getByText('every other session of this account was signed out').waitFor();
  await screenshot(page, 'verify-email-reclaimed');
  // Whoever signed up with the address is signed out; the owner is signed in.
  assert.equal((await gql('{ viewer { id } }', {}, squatter.token)).viewer, null, 'the squatter is out');
  await page.goto(`${ROSTER_URL}/console/`);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  assert.deepEqual(ctx.blockedRequests, []);
  await ctx.close();
});

test('forgot password: the emailed link sets a new password and signs in', async (t) => {
  assert.ok(await hasField('Mutation', 'requestPasswordReset'), 'the server resets passwords');
  const user = await signUp('rita', 'Rita');
  const ctx = await localContext(browser);
  const page = await ctx.newPage();
  await page.goto(`${ROSTER_URL}/console/sign-in`);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Email').fill(user.email);
  const offset = logOffset();
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await page.locator('.alert-success').waitFor();
  await screenshot(page, 'forgot-password');
  const { token } = await nextLinkToken(offset, 'reset-password');

  await page.goto(`${ROSTER_URL}/console/reset-password?token=${encodeURIComponent(token)}`);
  const next = `${PASSWORD} 2`;
  await page.getByLabel('New password', { exact: true }).fill(next);
  await page.getByLabel('Repeat the new password').fill(next);
  await page.getByRole('button', { name: 'Save new password' }).click();
  await page.getByText('Your password has been changed.').waitFor({ timeout: 10_000 });
  await screenshot(page, 'reset-password-done');

  // The new password signs in.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(next);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  assert.deepEqual(ctx.blockedRequests, []);
  await ctx.close();
});
