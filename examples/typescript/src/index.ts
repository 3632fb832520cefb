// The example end to end: sign in, watch an organization's member list, and cancel a
// pending invitation from it. Type-checked in CI against ../../schema.graphql; not run there.
import { cancelInvitationOf } from './cancel-invitation';
import { createRosterClient } from './client';
import { watchMembers } from './live-members';
import { signIn } from './sign-in';

export { cacheOptions, keys } from './cache';
export { actionLabels, cancelInvitation, cancelInvitationOf, listMembers, menuFor } from './cancel-invitation';
export { createRosterClient } from './client';
export type { RosterClient, RosterClientOptions } from './client';
export { watchMembers } from './live-members';
export { signIn } from './sign-in';
export { default as introspection } from './possible-types';

export async function demo(options: {
  url: string;
  email: string;
  password: string;
  organizationId: string;
  cancelEmail: string;
}): Promise<void> {
  let token: string | null = null;
  const roster = createRosterClient({ url: options.url, getToken: () => token });
  try {
    const signedIn = await signIn(roster.urql, options.email, options.password);
    if (!signedIn.ok) {
      const wait = signedIn.kind === 'rate-limited' ? ` (retry in ${signedIn.retryAfterSeconds}s)` : '';
      console.error(`Sign-in failed: ${signedIn.message}${wait}`);
      return;
    }
    token = signedIn.token;
    console.log(`Signed in as ${signedIn.user.displayName ?? signedIn.user.email}`);

    const stop = watchMembers(roster.urql, { organizationId: options.organizationId }, {
      onList: (members, total) =>
        console.log(`${total} members: ${members.map((m) => `${m.user.email} (${m.status.toLowerCase()})`).join(', ')}`),
      onError: (error) => console.error(`Live list: ${error.message}`),
    });

    const cancelled = await cancelInvitationOf(roster.urql, options.organizationId, options.cancelEmail);
    console.log(cancelled.ok ? `Cancelled at ${cancelled.cancelledAt}` : `Not cancelled: ${cancelled.message}`);
    stop();
  } finally {
    await roster.dispose();
  }
}
