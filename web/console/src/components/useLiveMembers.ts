// A member list that keeps itself current: load a page, then follow memberListChanged
// from the page's eventCursor. The client (client.ts) resumes the stream from the last
// event's cursor after a reconnect. When the server can no longer resume (CURSOR_EXPIRED,
// SUBSCRIBER_TOO_SLOW) the list is read again and followed from its new eventCursor; an
// end of access (FORBIDDEN, SCOPE_DELETED, UNAUTHENTICATED) stops it with a notice.
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { useClient } from 'urql';
import type { MemberFieldsFragment, MemberListChangedSubscription as EventResult, MembershipScope } from '../gql/graphql';
import { MemberListChangedSubscription, MembersQuery } from '../graphql/operations';
import { errorCode, errorMessage } from './ui';

export type Member = MemberFieldsFragment;
export type MemberEvent = EventResult['memberListChanged'];

interface State {
  phase: 'loading' | 'ready' | 'error';
  members: Member[];
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
  loadingMore: boolean;
  error: string | null;
  /** Why live updates stopped, when they did. */
  ended: string | null;
  /** The error code that stopped them (FORBIDDEN, SCOPE_DELETED, …). */
  endedCode: string | null;
  /** Set while the list is read again (after CURSOR_EXPIRED). */
  refreshing: boolean;
  /** Users this page removed itself, so their removal event is not counted twice. */
  removedHere: ReadonlySet<string>;
}

type Action =
  | { type: 'reload' }
  | { type: 'loaded'; members: Member[]; totalCount: number; hasNextPage: boolean; endCursor: string | null }
  | { type: 'failed'; error: string }
  | { type: 'moreLoading' }
  | { type: 'moreLoaded'; members: Member[]; hasNextPage: boolean; endCursor: string | null; totalCount: number }
  | { type: 'moreFailed'; error: string }
  | { type: 'event'; event: MemberEvent }
  | { type: 'upsert'; member: Member }
  | { type: 'removed'; userId: string }
  | { type: 'ended'; reason: string; code: string | null };

const initial: State = {
  phase: 'loading',
  members: [],
  totalCount: 0,
  hasNextPage: false,
  endCursor: null,
  loadingMore: false,
  error: null,
  ended: null,
  endedCode: null,
  refreshing: false,
  removedHere: new Set(),
};

function indexOf(members: Member[], userId: string) {
  return members.findIndex((m) => m.user.id === userId);
}

function reducer(state: State, action: Action): State {
  switch (action.type) {
    case 'reload':
      return state.phase === 'ready' ? { ...state, refreshing: true, ended: null, endedCode: null } : { ...initial };
    case 'loaded':
      return {
        ...state,
        phase: 'ready',
        refreshing: false,
        members: action.members,
        totalCount: action.totalCount,
        hasNextPage: action.hasNextPage,
        endCursor: action.endCursor,
        error: null,
        ended: null,
        endedCode: null,
        removedHere: new Set(),
      };
    case 'failed':
      return { ...state, phase: state.phase === 'ready' ? 'ready' : 'error', refreshing: false, error: action.error };
    case 'moreLoading':
      return { ...state, loadingMore: true, error: null };
    case 'moreLoaded': {
      const known = new Set(state.members.map((m) => m.user.id));
      return {
        ...state,
        loadingMore: false,
        members: [...state.members, ...action.members.filter((m) => !known.has(m.user.id))],
        hasNextPage: action.hasNextPage,
        endCursor: action.endCursor,
        totalCount: action.totalCount,
      };
    }
    case 'moreFailed':
      return { ...state, loadingMore: false, error: action.error };
    case 'upsert':
      return upsert(state, action.member, true);
    case 'removed': {
      const i = indexOf(state.members, action.userId);
      if (i < 0) return state;
      const removedHere = new Set(state.removedHere);
      removedHere.add(action.userId);
      return {
        ...state,
        members: state.members.filter((_, j) => j !== i),
        totalCount: Math.max(0, state.totalCount - 1),
        removedHere,
      };
    }
    case 'event':
      return applyEvent(state, action.event);
    case 'ended':
      return { ...state, ended: action.reason, endedCode: action.code };
  }
}

function upsert(state: State, member: Member, insert: boolean): State {
  const i = indexOf(state.members, member.user.id);
  if (i >= 0) {
    const members = state.members.slice();
    members[i] = member;
    return { ...state, members };
  }
  if (!insert) return state;
  return { ...state, members: [...state.members, member], totalCount: state.totalCount + 1 };
}

export function applyEvent(state: State, event: MemberEvent): State {
  switch (event.kind) {
    case 'INVITATION_CANCELLED':
    case 'REMOVED': {
      const i = indexOf(state.members, event.userId);
      if (i >= 0) {
        return {
          ...state,
          members: state.members.filter((_, j) => j !== i),
          totalCount: Math.max(0, state.totalCount - 1),
        };
      }
      if (state.removedHere.has(event.userId)) {
        const removedHere = new Set(state.removedHere);
        removedHere.delete(event.userId);
        return { ...state, removedHere };
      }
      // Someone on a page not loaded yet.
      return state.hasNextPage ? { ...state, totalCount: Math.max(0, state.totalCount - 1) } : state;
    }
    case 'INVITED':
    case 'JOINED':
    case 'ROLE_CHANGED':
    case 'INVITATION_RESENT': {
      if (!event.member) return state;
      if (event.kind === 'INVITED') {
        let next = state;
        if (state.removedHere.has(event.userId)) {
          const removedHere = new Set(state.removedHere);
          removedHere.delete(event.userId);
          next = { ...state, removedHere };
        }
        return upsert(next, event.member, true);
      }
      // An older change to someone this page removed must not bring them back; a member
      // on a page not loaded yet stays there.
      if (state.removedHere.has(event.userId)) return state;
      return upsert(state, event.member, !state.hasNextPage);
    }
    default:
      return state;
  }
}

const END_NOTICES: Record<string, string> = {
  FORBIDDEN: 'You no longer have access to this list, so it stopped updating.',
  SCOPE_DELETED: 'This team was deleted. Its member list no longer exists.',
  UNAUTHENTICATED: 'Your session has ended. Sign in again to see live changes.',
  NOT_FOUND: 'This list no longer exists.',
};

export function scopeKey(scope: MembershipScope): string {
  return scope.organizationId ? `org:${scope.organizationId}` : `team:${scope.teamId}`;
}

export function useLiveMembers(scope: MembershipScope, pageSize = 50) {
  const client = useClient();
  const [state, dispatch] = useReducer(reducer, initial);
  const key = scopeKey(scope);
  const scopeRef = useRef(scope);
  scopeRef.current = scope;
  const endCursorRef = useRef<string | null>(null);
  endCursorRef.current = state.endCursor;
  const [epoch, restart] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    let cancelled = false;
    let sub: { unsubscribe(): void } | null = null;
    const scope = scopeRef.current;

    const follow = (after: string) => {
      sub = client.subscription(MemberListChangedSubscription, { scope, after }).subscribe((result) => {
        if (cancelled) return;
        if (result.error) {
          sub?.unsubscribe();
          sub = null;
          const code = errorCode(result.error);
          if (code === 'CURSOR_EXPIRED' || code === 'SUBSCRIBER_TOO_SLOW') {
            void load();
            return;
          }
          dispatch({
            type: 'ended',
            code: code ?? null,
            reason: (code && END_NOTICES[code]) || `Live updates stopped: ${errorMessage(result.error)}`,
          });
          return;
        }
        const event = result.data?.memberListChanged;
        if (event) dispatch({ type: 'event', event });
      });
    };

    const load = async () => {
      dispatch({ type: 'reload' });
      const result = await client
        .query(MembersQuery, { scope, first: pageSize }, { requestPolicy: 'network-only' })
        .toPromise();
      if (cancelled) return;
      const page = result.data?.members;
      if (!page) {
        dispatch({ type: 'failed', error: errorMessage(result.error) ?? 'The member list could not be loaded.' });
        return;
      }
      dispatch({
        type: 'loaded',
        members: page.nodes,
        totalCount: page.totalCount,
        hasNextPage: page.pageInfo.hasNextPage,
        endCursor: page.pageInfo.endCursor ?? null,
      });
      follow(page.eventCursor);
    };

    void load();
    return () => {
      cancelled = true;
      sub?.unsubscribe();
    };
  }, [client, key, pageSize, epoch]);

  const loadMore = useCallback(async () => {
    dispatch({ type: 'moreLoading' });
    const result = await client
      .query(
        MembersQuery,
        { scope: scopeRef.current, first: pageSize, after: endCursorRef.current },
        { requestPolicy: 'network-only' },
      )
      .toPromise();
    const page = result.data?.members;
    if (!page) {
      dispatch({ type: 'moreFailed', error: errorMessage(result.error) ?? 'Could not load more members.' });
      return;
    }
    dispatch({
      type: 'moreLoaded',
      members: page.nodes,
      hasNextPage: page.pageInfo.hasNextPage,
      endCursor: page.pageInfo.endCursor ?? null,
      totalCount: page.totalCount,
    });
  }, [client, pageSize]);

  return {
    ...state,
    loadMore,
    reload: restart,
    upsert: (member: Member) => dispatch({ type: 'upsert', member }),
    removed: (userId: string) => dispatch({ type: 'removed', userId }),
  };
}
