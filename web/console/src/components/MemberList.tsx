// The member list of an organization or a team: Admin → Manage Organization, and
// My Teams → team → Members. Rows refresh themselves; each row's ⋮ menu offers exactly
// the row's availableActions. Cancelling happens at once, with no confirmation.
import { useState } from 'react';
import { useClient } from 'urql';
import { useLiveStatus } from '../client';
import type { MemberAction, MemberRole, MembershipScope } from '../gql/graphql';
import {
  CancelInvitationMutation,
  ChangeMemberRoleMutation,
  RemoveMemberMutation,
  ResendInvitationMutation,
} from '../graphql/operations';
import { ActionsMenu, type MenuItem } from './ActionsMenu';
import { InviteForm } from './InviteForm';
import { Alert, EmptyState, errorMessage, roleLabel, Spinner, When } from './ui';
import { useLiveMembers, type Member } from './useLiveMembers';

const ACTION_LABELS: Record<MemberAction, string> = {
  RESEND_INVITATION: 'Resend invitation',
  CANCEL_INVITATION: 'Cancel invitation',
  REMOVE_MEMBER: 'Remove member',
  CHANGE_ROLE: 'Change role',
};
const ACTION_ORDER: MemberAction[] = ['RESEND_INVITATION', 'CANCEL_INVITATION', 'CHANGE_ROLE', 'REMOVE_MEMBER'];

interface RowState {
  busy?: boolean;
  error?: string;
  notice?: string;
  editingRole?: boolean;
}

export function MemberList({
  scope,
  canInvite,
  title = 'Members',
}: {
  scope: MembershipScope;
  canInvite: boolean;
  title?: string;
}) {
  const client = useClient();
  const list = useLiveMembers(scope);
  const live = useLiveStatus();
  const [rows, setRows] = useState<Record<string, RowState>>({});
  const isTeam = !!scope.teamId;
  const roles: MemberRole[] = isTeam ? ['OWNER', 'MEMBER'] : ['ADMIN', 'MEMBER'];

  const setRow = (userId: string, next: RowState | null) =>
    setRows((r) => {
      const copy = { ...r };
      if (next) copy[userId] = next;
      else delete copy[userId];
      return copy;
    });

  async function cancel(m: Member) {
    setRow(m.user.id, { busy: true });
    const res = await client.mutation(CancelInvitationMutation, { scope, userId: m.user.id }).toPromise();
    const out = res.data?.cancelInvitation;
    if (out?.__typename === 'CancelInvitationSuccess') {
      setRow(m.user.id, null);
      list.removed(m.user.id);
    } else {
      setRow(m.user.id, { error: (out && 'message' in out ? out.message : null) ?? errorMessage(res.error) ?? 'Could not cancel the invitation.' });
    }
  }

  async function resend(m: Member) {
    setRow(m.user.id, { busy: true });
    const res = await client.mutation(ResendInvitationMutation, { scope, userId: m.user.id }).toPromise();
    const out = res.data?.resendInvitation;
    if (out?.__typename === 'ResendInvitationSuccess') {
      list.upsert(out.member);
      setRow(m.user.id, { notice: `Invitation sent again to ${m.user.email}.` });
    } else {
      setRow(m.user.id, { error: (out && 'message' in out ? out.message : null) ?? errorMessage(res.error) ?? 'Could not resend the invitation.' });
    }
  }

  async function remove(m: Member) {
    setRow(m.user.id, { busy: true });
    const res = await client.mutation(RemoveMemberMutation, { scope, userId: m.user.id }).toPromise();
    const out = res.data?.removeMember;
    if (out?.__typename === 'RemoveMemberSuccess') {
      setRow(m.user.id, null);
      list.removed(m.user.id);
    } else {
      setRow(m.user.id, { error: (out && 'message' in out ? out.message : null) ?? errorMessage(res.error) ?? 'Could not remove the member.' });
    }
  }

  async function changeRole(m: Member, role: MemberRole) {
    if (role === m.role) {
      setRow(m.user.id, null);
      return;
    }
    setRow(m.user.id, { busy: true, editingRole: true });
    const res = await client.mutation(ChangeMemberRoleMutation, { scope, userId: m.user.id, role }).toPromise();
    const out = res.data?.changeMemberRole;
    if (out?.__typename === 'ChangeMemberRoleSuccess') {
      list.upsert(out.member);
      setRow(m.user.id, { notice: `${m.user.displayName ?? m.user.email} is now ${roleLabel[role].toLowerCase()}.` });
    } else {
      setRow(m.user.id, {
        editingRole: true,
        error: (out && 'message' in out ? out.message : null) ?? errorMessage(res.error) ?? 'Could not change the role.',
      });
    }
  }

  function menuItems(m: Member): MenuItem[] {
    const run: Record<MemberAction, () => void> = {
      RESEND_INVITATION: () => void resend(m),
      CANCEL_INVITATION: () => void cancel(m),
      REMOVE_MEMBER: () => void remove(m),
      CHANGE_ROLE: () => setRow(m.user.id, { editingRole: true }),
    };
    return ACTION_ORDER.filter((a) => m.availableActions.includes(a)).map((a) => ({
      key: a,
      label: ACTION_LABELS[a],
      danger: a === 'CANCEL_INVITATION' || a === 'REMOVE_MEMBER',
      onSelect: run[a],
    }));
  }

  const liveLabel =
    list.ended != null
      ? 'Not updating'
      : live === 'live'
        ? 'Live'
        : live === 'reconnecting'
          ? 'Reconnecting…'
          : 'Connecting…';

  return (
    <section className="card" aria-labelledby={`${scope.organizationId ?? scope.teamId}-members-title`}>
      <header className="card-header">
        <div>
          <h2 id={`${scope.organizationId ?? scope.teamId}-members-title`}>{title}</h2>
          {list.phase === 'ready' && (
            <p className="muted" data-testid="member-count">
              {list.totalCount === 1 ? '1 member' : `${list.totalCount} members`}
              {list.refreshing && ' · refreshing…'}
            </p>
          )}
        </div>
        <span className={`live live-${list.ended != null ? 'ended' : live}`} role="status" aria-live="polite">
          <span className="live-dot" aria-hidden="true" />
          {liveLabel}
        </span>
      </header>

      {list.endedCode === 'SCOPE_DELETED' ? (
        <Alert tone="info">{list.ended}</Alert>
      ) : (
        <>
          {canInvite && !list.ended && <InviteForm scope={scope} roles={roles} onInvited={(m) => list.upsert(m)} />}
          {list.ended && (
            <Alert tone="info">
              {list.ended}{' '}
              <button type="button" className="link-button" onClick={list.reload}>
                Reload the list
              </button>
            </Alert>
          )}
        </>
      )}
      {list.error && <Alert>{list.error}</Alert>}

      {list.endedCode !== 'SCOPE_DELETED' && (
        <>
      {list.phase === 'loading' && <Spinner label="Loading members…" />}
      {list.phase === 'ready' && list.members.length === 0 && (
        <EmptyState title="No members yet">{canInvite ? 'Invite someone with the form above.' : null}</EmptyState>
      )}
      {list.phase === 'ready' && list.members.length > 0 && (
        <div className="table-wrap members-wrap">
          <table className="members">
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Status</th>
                <th scope="col">Role</th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.members.map((m) => {
                const row = rows[m.user.id] ?? {};
                const name = m.user.displayName ?? m.user.email;
                return (
                  <tr key={m.user.id} data-user-id={m.user.id} data-email={m.user.email} aria-busy={row.busy || undefined} className={row.busy ? 'busy' : undefined}>
                    <td className="who" data-label="Member">
                      <div className="who-inner">
                      <span className="avatar" aria-hidden="true">
                        {initials(m.user.displayName ?? m.user.email)}
                      </span>
                      <span className="who-text">
                        <span className="who-name">{m.user.displayName ?? m.user.email}</span>
                        {m.user.displayName && <span className="who-email">{m.user.email}</span>}
                        {row.error && (
                          <span className="row-error" role="alert">
                            {row.error}
                          </span>
                        )}
                        {row.notice && (
                          <span className="row-notice" role="status">
                            {row.notice}
                          </span>
                        )}
                      </span>
                      </div>
                    </td>
                    <td data-label="Status">
                      {m.status === 'UNVERIFIED' ? (
                        <span className="badge badge-unverified">unverified</span>
                      ) : (
                        <span className="badge badge-verified">verified</span>
                      )}
                    </td>
                    <td data-label="Role">
                      {row.editingRole ? (
                        <RolePicker
                          name={name}
                          roles={roles}
                          current={m.role}
                          busy={!!row.busy}
                          onSave={(role) => void changeRole(m, role)}
                          onCancel={() => setRow(m.user.id, null)}
                        />
                      ) : (
                        roleLabel[m.role]
                      )}
                    </td>
                    <td data-label={m.status === 'UNVERIFIED' ? 'Invited' : 'Joined'}>
                      <When iso={m.status === 'UNVERIFIED' ? m.invitedAt : (m.joinedAt ?? m.invitedAt)} />
                    </td>
                    <td className="actions">
                      <ActionsMenu label={`Actions for ${name}`} items={() => menuItems(m)} disabled={row.busy} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {list.phase === 'ready' && list.hasNextPage && (
        <div className="more">
          <button type="button" className="button secondary" onClick={() => void list.loadMore()} disabled={list.loadingMore}>
            {list.loadingMore ? 'Loading…' : 'Show more members'}
          </button>
        </div>
      )}
      {list.phase === 'error' && (
        <div className="more">
          <button type="button" className="button secondary" onClick={list.reload}>
            Try again
          </button>
        </div>
      )}
        </>
      )}
    </section>
  );
}

function initials(s: string): string {
  const parts = s.replace(/@.*/, '').split(/[\s._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
}

function RolePicker({
  name,
  roles,
  current,
  busy,
  onSave,
  onCancel,
}: {
  name: string;
  roles: MemberRole[];
  current: MemberRole;
  busy: boolean;
  onSave(role: MemberRole): void;
  onCancel(): void;
}) {
  const [role, setRole] = useState<MemberRole>(current);
  return (
    <form
      className="role-picker"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(role);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
    >
      <label className="visually-hidden" htmlFor={`role-${name}`}>
        Role for {name}
      </label>
      <select id={`role-${name}`} value={role} onChange={(e) => setRole(e.target.value as MemberRole)} autoFocus disabled={busy}>
        {roles.map((r) => (
          <option key={r} value={r}>
            {roleLabel[r]}
          </option>
        ))}
      </select>
      <button type="submit" className="button small" disabled={busy}>
        Save
      </button>
      <button type="button" className="button small secondary" onClick={onCancel} disabled={busy}>
        Cancel
      </button>
    </form>
  );
}
