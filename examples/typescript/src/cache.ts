// Graphcache for Roster: how entities are keyed, and how a `memberListChanged` event (or a
// `cancelInvitation` answer) changes the cached member lists, so every query showing a list
// re-renders with no refetch.
import type { Cache, CacheExchangeOpts, KeyGenerator, UpdateResolver } from '@urql/exchange-graphcache';
import { membersQuery } from './documents';
import type {
  CancelInvitationMutation,
  CancelInvitationMutationVariables,
  MemberListChangedSubscription,
  MemberListChangedSubscriptionVariables,
  MemberRowFragment,
  MembersQuery,
  MembersQueryVariables,
  MembershipScope,
} from './gql/graphql';
import introspection from './possible-types';

/** For types without an id: stored inside their parent, never on their own. */
const embedded: KeyGenerator = () => null;

/** `Member` is keyed by the membership's stable id (`Member.id`), `User` by its `id`. */
export const keys = {
  Member: (data) => (typeof data.id === 'string' ? data.id : null),
  User: (data) => (typeof data.id === 'string' ? data.id : null),
  MemberConnection: embedded,
  MemberEdge: embedded,
  PageInfo: embedded,
  MemberListEvent: embedded,
  SignInSuccess: embedded,
  CancelInvitationSuccess: embedded,
  // Every error type implements `Error`; none has an id.
  ...Object.fromEntries(introspection.possibleTypes.Error.map((name) => [name, embedded])),
} satisfies Record<string, KeyGenerator>;

function sameScope(cached: unknown, scope: MembershipScope): boolean {
  if (typeof cached !== 'object' || cached === null) return false;
  const c = cached as { organizationId?: unknown; teamId?: unknown };
  return (c.organizationId ?? null) === (scope.organizationId ?? null) && (c.teamId ?? null) === (scope.teamId ?? null);
}

/**
 * Applies `change` to every cached page of `members(scope: …)` for this scope, each under
 * the arguments it was read with. `change` returns the page's new rows, or `null` to leave
 * the page as it is.
 */
function updateMemberPages(
  cache: Cache,
  scope: MembershipScope,
  change: (page: MembersQuery['members'], variables: MembersQueryVariables) => MemberRowFragment[] | null,
): void {
  for (const field of cache.inspectFields('Query')) {
    if (field.fieldName !== 'members' || !sameScope(field.arguments?.scope, scope)) continue;
    const variables = field.arguments as MembersQueryVariables;
    cache.updateQuery({ query: membersQuery, variables }, (data) => {
      if (!data) return null; // this page was read with another selection: leave it alone
      const nodes = change(data.members, variables);
      if (!nodes) return data;
      const delta = nodes.length - data.members.nodes.length;
      return { ...data, members: { ...data.members, nodes, totalCount: data.members.totalCount + delta } };
    });
  }
}

/**
 * Merges one event into the cached lists. With `member`: the row is written (Graphcache
 * already updated the `Member` entity itself) and appended to the last page if it is new,
 * or dropped from a list whose `status` filter it no longer matches. With `member: null`
 * (the user left the list): the row whose `Member.id` is `memberId` is removed.
 */
const memberListChanged: UpdateResolver<MemberListChangedSubscription, MemberListChangedSubscriptionVariables> = (
  result,
  args,
  cache,
) => {
  const event = result.memberListChanged;
  updateMemberPages(cache, args.scope, (page, variables) => {
    const index = page.nodes.findIndex((row) => row.id === event.memberId);
    const member = event.member;
    const belongs = member !== null && (variables.status == null || variables.status === member.status);
    if (member && belongs) {
      if (index >= 0) return page.nodes.map((row, i) => (i === index ? member : row));
      // New members are added at the end of the list: only the last page shows them.
      return page.pageInfo.hasNextPage ? null : [...page.nodes, member];
    }
    return index >= 0 ? page.nodes.filter((_, i) => i !== index) : null;
  });
};

/**
 * A cancelled invitation leaves the list at once, even before (or without) the
 * subscription's INVITATION_CANCELLED event; that event then finds nothing left to remove.
 */
const cancelInvitation: UpdateResolver<CancelInvitationMutation, CancelInvitationMutationVariables> = (
  result,
  args,
  cache,
) => {
  const answer = result.cancelInvitation;
  if (answer.__typename !== 'CancelInvitationSuccess') return;
  updateMemberPages(cache, args.scope, (page) => {
    const nodes = page.nodes.filter((row) => row.user.id !== answer.userId);
    return nodes.length === page.nodes.length ? null : nodes;
  });
};

/** Options for Graphcache's `cacheExchange`. */
export const cacheOptions: CacheExchangeOpts = {
  keys,
  // Matches `... on Error { message }` exactly, instead of Graphcache's heuristics.
  possibleTypes: introspection.possibleTypes,
  updates: {
    Subscription: { memberListChanged },
    Mutation: { cancelInvitation },
  },
};
