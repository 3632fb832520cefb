// (3) A member list that refreshes itself: read a page, then subscribe to
// `memberListChanged` from that page's `eventCursor`. Graphcache merges each event into
// the cached `members` connection (cache.ts), and the query re-emits the merged list.
import type { Client } from '@urql/core';
import { memberListChangedSubscription, membersQuery } from './documents';
import type { MemberRowFragment, MembershipScope } from './gql/graphql';

export interface LiveMembersHandlers {
  /** The list as it is now: first as read, then after every change. */
  onList(members: readonly MemberRowFragment[], totalCount: number): void;
  /** The query or the stream failed (FORBIDDEN, UNAUTHENTICATED, SUBSCRIBER_TOO_SLOW, ...). */
  onError?(error: Error): void;
}

/** Watches the first page (up to 100 members) of a scope's list. Returns a stop function. */
export function watchMembers(client: Client, scope: MembershipScope, handlers: LiveMembersHandlers): () => void {
  let events: { unsubscribe(): void } | null = null;

  const list = client.query(membersQuery, { scope, first: 100 }).subscribe((result) => {
    if (result.error) handlers.onError?.(result.error);
    const page = result.data?.members;
    if (!page) return;
    handlers.onList(page.nodes, page.totalCount);
    // Start the stream once, exactly where this read left off: nothing missed, nothing twice.
    events ??= client
      .subscription(memberListChangedSubscription, { scope, after: page.eventCursor })
      .subscribe((event) => {
        if (event.error) handlers.onError?.(event.error);
      });
  });

  return () => {
    events?.unsubscribe();
    list.unsubscribe();
  };
}
