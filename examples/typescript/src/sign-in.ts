// (1) Signing in: `signIn` answers a `SignInResult` union; every member is handled, typed.
import type { Client } from '@urql/core';
import { signInMutation } from './documents';
import { unexpectedAnswer } from './outcome';

export type SignInOutcome =
  | { ok: true; token: string; user: { id: string; email: string; displayName: string | null } }
  | { ok: false; kind: 'invalid-credentials'; message: string }
  | { ok: false; kind: 'rate-limited'; message: string; retryAfterSeconds: number }
  | { ok: false; kind: 'unexpected'; message: string };

/**
 * Signs in. Expected failures come back as values; a transport failure or a top-level
 * GraphQL error (with `extensions.code`) is thrown.
 */
export async function signIn(client: Client, email: string, password: string): Promise<SignInOutcome> {
  const result = await client.mutation(signInMutation, { email, password }).toPromise();
  if (result.error) throw result.error;
  if (!result.data) throw new Error('signIn: no data');
  const answer = result.data.signIn;
  switch (answer.__typename) {
    case 'SignInSuccess':
      // Send it as `Authorization: Bearer <token>`; it is shown only this once.
      return { ok: true, token: answer.token, user: answer.user };
    case 'InvalidCredentialsError':
      // One message whether the email is unknown or the password wrong.
      return { ok: false, kind: 'invalid-credentials', message: answer.message };
    case 'RateLimitedError':
      return { ok: false, kind: 'rate-limited', message: answer.message, retryAfterSeconds: answer.retryAfterSeconds };
    default:
      return unexpectedAnswer(answer);
  }
}
