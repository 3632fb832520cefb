// (2) The help page "How to Cancel a User Invitation", from Organization Management:
// find the invited user in the organization's member list (shown as "unverified"), open
// the row's ⋮ menu (exactly the row's `availableActions`), choose "Cancel invitation".
// It takes effect at once, with no confirmation, and the user leaves the list.
import type { Client } from '@urql/core';
import { cancelInvitationMutation, membersQuery } from './documents';
import type { MemberAction, MemberRowFragment, MembershipScope } from './gql/graphql';
import { unexpectedAnswer } from './outcome';

/** The ⋮ menu's labels. A new `MemberAction` in the schema fails `tsc` here until labelled. */
export const actionLabels: Record<MemberAction, string> = {
  RESEND_INVITATION: 'Resend invitation',
  CANCEL_INVITATION: 'Cancel invitation',
  REMOVE_MEMBER: 'Remove member',
  CHANGE_ROLE: 'Change role',
};

/** The row's menu: what the viewer may do to this member right now, in the server's order. */
export function menuFor(member: MemberRowFragment): { action: MemberAction; label: string }[] {
  return member.availableActions.map((action) => ({ action, label: actionLabels[action] }));
}

/** One page of a scope's member list (pending invitations included), up to 100 rows. */
async function readPage(client: Client, scope: MembershipScope, after: string | null) {
  const result = await client.query(membersQuery, { scope, first: 100, after }).toPromise();
  if (result.error) throw result.error; // e.g. FORBIDDEN: the viewer may not read the list
  if (!result.data) throw new Error('members: no data');
  return result.data.members;
}

/** The whole member list of a scope, page by page. */
export async function listMembers(client: Client, scope: MembershipScope): Promise<MemberRowFragment[]> {
  const rows: MemberRowFragment[] = [];
  let page = await readPage(client, scope, null);
  rows.push(...page.nodes);
  while (page.pageInfo.hasNextPage && page.pageInfo.endCursor !== null) {
    page = await readPage(client, scope, page.pageInfo.endCursor);
    rows.push(...page.nodes);
  }
  return rows;
}

export type CancelOutcome =
  | { ok: true; userId: string; cancelledAt: string }
  /** "Can only cancel invites for invited users": they accepted; remove them instead. */
  | { ok: false; kind: 'already-accepted'; message: string }
  /** The invitation is gone already (cancelled elsewhere), or the user is not in the list. */
  | { ok: false; kind: 'not-found'; message: string }
  /** Only Organization Administrators and Team Owners may cancel invitations. */
  | { ok: false; kind: 'not-authorized'; message: string }
  | { ok: false; kind: 'not-signed-in'; message: string }
  | { ok: false; kind: 'unexpected'; message: string };

/** "Cancel invitation": at once, no confirmation step. */
export async function cancelInvitation(
  client: Client,
  scope: MembershipScope,
  member: MemberRowFragment,
): Promise<CancelOutcome> {
  const result = await client.mutation(cancelInvitationMutation, { scope, userId: member.user.id }).toPromise();
  if (result.error) throw result.error;
  if (!result.data) throw new Error('cancelInvitation: no data');
  const answer = result.data.cancelInvitation;
  switch (answer.__typename) {
    case 'CancelInvitationSuccess':
      return { ok: true, userId: answer.userId, cancelledAt: answer.cancelledAt };
    case 'InvitationAlreadyAcceptedError':
      return { ok: false, kind: 'already-accepted', message: answer.message };
    case 'NotFoundError':
      return { ok: false, kind: 'not-found', message: answer.message };
    case 'NotAuthorizedError':
      return { ok: false, kind: 'not-authorized', message: answer.message };
    case 'NotAuthenticatedError':
      return { ok: false, kind: 'not-signed-in', message: answer.message };
    default:
      return unexpectedAnswer(answer);
  }
}

/**
 * The help page's steps 2 to 5 for the invitee with this email: their row must be
 * unverified and its menu must offer "Cancel invitation".
 */
export async function cancelInvitationOf(
  client: Client,
  organizationId: string,
  email: string,
): Promise<CancelOutcome | { ok: false; kind: 'not-offered'; message: string }> {
  const scope: MembershipScope = { organizationId };
  const members = await listMembers(client, scope);
  const row = members.find((m) => m.user.email.toLowerCase() === email.toLowerCase());
  if (!row) return { ok: false, kind: 'not-found', message: `${email} is not in this organization's list` };
  if (row.status !== 'UNVERIFIED' || !menuFor(row).some((item) => item.action === 'CANCEL_INVITATION')) {
    return { ok: false, kind: 'not-offered', message: `Cancel invitation is not offered for ${email}` };
  }
  // Success removes the row from every cached list of this scope (see cache.ts), so a list
  // on screen refreshes by itself; the subscription's event says the same to everyone else.
  return cancelInvitation(client, scope, row);
}
