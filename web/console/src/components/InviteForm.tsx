import { useState } from 'react';
import { useClient } from 'urql';
import type { MemberRole, MembershipScope } from '../gql/graphql';
import { InviteUserMutation, InviteUsersMutation } from '../graphql/operations';
import { Alert, errorMessage, roleLabel } from './ui';
import type { Member } from './useLiveMembers';

export function InviteForm({
  scope,
  roles,
  onInvited,
}: {
  scope: MembershipScope;
  roles: MemberRole[];
  onInvited(member: Member): void;
}) {
  const client = useClient();
  const [mode, setMode] = useState<'one' | 'many'>('one');
  const [email, setEmail] = useState('');
  const [emails, setEmails] = useState('');
  const [role, setRole] = useState<MemberRole>('MEMBER');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [failures, setFailures] = useState<{ email: string; message: string }[]>([]);
  const idBase = scope.organizationId ?? scope.teamId;

  async function submit() {
    setBusy(true);
    setError(null);
    setDone(null);
    setFailures([]);
    try {
      if (mode === 'one') {
        const res = await client.mutation(InviteUserMutation, { scope, email: email.trim(), role }).toPromise();
        const out = res.data?.inviteUser;
        if (out?.__typename === 'InviteUserSuccess') {
          onInvited(out.member);
          setDone(`Invitation sent to ${out.member.user.email}.`);
          setEmail('');
        } else {
          setError((out && 'message' in out ? out.message : null) ?? errorMessage(res.error) ?? 'The invitation was not sent.');
        }
      } else {
        const list = emails
          .split(/[\s,;]+/)
          .map((e) => e.trim())
          .filter(Boolean);
        if (list.length === 0) {
          setError('Enter at least one email address.');
          return;
        }
        const res = await client
          .mutation(InviteUsersMutation, { scope, invitations: list.map((e) => ({ email: e, role })) })
          .toPromise();
        const out = res.data?.inviteUsers;
        if (out?.__typename === 'InviteUsersSuccess') {
          const failed: { email: string; message: string }[] = [];
          let sent = 0;
          out.results.forEach((r, i) => {
            if (r.__typename === 'InviteUserSuccess') {
              onInvited(r.member);
              sent++;
            } else failed.push({ email: list[i], message: 'message' in r ? r.message : 'Not sent.' });
          });
          setFailures(failed);
          setDone(sent === 1 ? '1 invitation sent.' : `${sent} invitations sent.`);
          setEmails(failed.map((f) => f.email).join('\n'));
        } else {
          setError((out && 'message' in out ? out.message : null) ?? errorMessage(res.error) ?? 'The invitations were not sent.');
        }
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="invite"
      aria-label="Invite people"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="invite-row">
        {mode === 'one' ? (
          <div className="field grow">
            <label htmlFor={`${idBase}-invite-email`}>Invite by email</label>
            <input
              id={`${idBase}-invite-email`}
              type="email"
              autoComplete="off"
              placeholder="name@example.com"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              required
            />
          </div>
        ) : (
          <div className="field grow">
            <label htmlFor={`${idBase}-invite-emails`}>Email addresses</label>
            <textarea
              id={`${idBase}-invite-emails`}
              rows={3}
              placeholder={'one@example.com\ntwo@example.com'}
              value={emails}
              onChange={(e) => setEmails(e.target.value)}
              aria-describedby={`${idBase}-invite-emails-hint`}
            />
            <p className="hint" id={`${idBase}-invite-emails-hint`}>
              One per line, or separated by commas. At most 100.
            </p>
          </div>
        )}
        <div className="field">
          <label htmlFor={`${idBase}-invite-role`}>Role</label>
          <select id={`${idBase}-invite-role`} value={role} onChange={(e) => setRole(e.target.value as MemberRole)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {roleLabel[r]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Sending…' : mode === 'one' ? 'Send invitation' : 'Send invitations'}
        </button>
      </div>
      <button
        type="button"
        className="link-button"
        onClick={() => {
          setMode(mode === 'one' ? 'many' : 'one');
          setError(null);
          setDone(null);
          setFailures([]);
        }}
      >
        {mode === 'one' ? 'Invite several people at once' : 'Invite one person'}
      </button>
      {error && <Alert>{error}</Alert>}
      {done && <Alert tone="success">{done}</Alert>}
      {failures.length > 0 && (
        <Alert>
          <p>Not sent:</p>
          <ul>
            {failures.map((f, i) => (
              <li key={i}>
                <strong>{f.email}</strong>: {f.message}
              </li>
            ))}
          </ul>
        </Alert>
      )}
    </form>
  );
}
