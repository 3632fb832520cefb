// Pages the emails link to: /console/accept, /console/verify-email, /console/reset-password.
import { useState, type FormEvent } from 'react';
import { useClient, useQuery } from 'urql';
import { Alert, errorMessage, roleLabel, Spinner, TextField, When } from '../components/ui';
import { AcceptInvitationMutation, InvitationPreviewQuery, ResetPasswordMutation, VerifyEmailMutation } from '../graphql/identity';
import { ViewerQuery } from '../graphql/operations';
import { Link, navigate } from '../router';
import { setToken, useToken } from '../session';
import { AuthLayout } from './Auth';

const INVALID = 'This invitation link is invalid or has expired';

export function AcceptPage({ query }: { query: URLSearchParams }) {
  const token = query.get('token') ?? '';
  const session = useToken();
  const client = useClient();
  const [preview] = useQuery({
    query: InvitationPreviewQuery,
    variables: { token },
    pause: !token,
    requestPolicy: 'network-only',
  });
  const [viewer] = useQuery({ query: ViewerQuery, pause: !session, requestPolicy: 'network-only' });
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ message: string; field?: string | null } | null>(null);
  const [busy, setBusy] = useState(false);

  if (!token) return <InvalidInvitation />;
  if (preview.fetching || (session && viewer.fetching)) {
    return (
      <AuthLayout title="Your invitation">
        <Spinner label="Checking your invitation…" />
      </AuthLayout>
    );
  }
  if (preview.error?.networkError) {
    return (
      <AuthLayout title="Your invitation">
        <Alert>{errorMessage(preview.error)}</Alert>
      </AuthLayout>
    );
  }
  const inv = preview.data?.invitation;
  // A missing `invitation` field (an older server) is a GraphQL error: the same answer.
  if (!inv) return <InvalidInvitation />;

  const me = viewer.data?.viewer;
  const signedInAsInvitee = !!me && me.email.toLowerCase() === inv.email.toLowerCase();
  const needsNewAccount = !inv.accountExists && !signedInAsInvitee;
  const needsPassword = inv.accountExists && !signedInAsInvitee;
  const place = inv.teamName ? `the team ${inv.teamName} in ${inv.organizationName}` : inv.organizationName;
  const here = `/accept?token=${encodeURIComponent(token)}`;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const res = await client
      .mutation(AcceptInvitationMutation, {
        token,
        password: needsNewAccount || needsPassword ? password : null,
        displayName: needsNewAccount ? displayName.trim() : null,
      })
      .toPromise();
    setBusy(false);
    const out = res.data?.acceptInvitation;
    if (out?.__typename === 'AcceptInvitationSuccess') {
      setToken(out.token);
      const params = new URLSearchParams({ organization: inv!.organizationName });
      if (inv!.teamName) params.set('team', inv!.teamName);
      navigate(`/joined?${params}`, { replace: true });
    } else if (out && 'message' in out) {
      setError({ message: out.message, field: out.__typename === 'ValidationError' ? out.field : null });
    } else {
      setError({ message: errorMessage(res.error) ?? 'Could not accept the invitation.' });
    }
  }
  const fieldError = (f: string) => (error?.field === f ? error.message : null);

  return (
    <AuthLayout title={`Join ${inv.teamName ?? inv.organizationName}`}>
      <div className="invitation" data-testid="invitation-preview">
        <p>
          {inv.inviterName ? <strong>{inv.inviterName}</strong> : 'You have been'} {inv.inviterName ? 'invited you' : 'invited'} to join{' '}
          <strong>{place}</strong> as {roleLabel[inv.role]?.toLowerCase() ?? inv.role}.
        </p>
        <dl className="facts">
          <dt>Invitation for</dt>
          <dd>{inv.email}</dd>
          <dt>Expires</dt>
          <dd>
            <When iso={inv.expiresAt} />
          </dd>
        </dl>
      </div>
      <form onSubmit={submit}>
        {signedInAsInvitee && <p>You are signed in as {me!.email}.</p>}
        {needsNewAccount && (
          <>
            <p className="muted">Create your account to accept.</p>
            <TextField label="Your name" autoComplete="name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} required autoFocus error={fieldError('displayName')} />
            <TextField
              label="New password"
              type="password"
              autoComplete="new-password"
              minLength={8}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              hint="At least 8 characters."
              error={fieldError('password')}
            />
          </>
        )}
        {needsPassword && (
          <>
            <TextField
              label={`Password for ${inv.email}`}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              autoFocus
              error={fieldError('password')}
              hint={
                <>
                  Or <Link to={`/sign-in?email=${encodeURIComponent(inv.email)}&next=${encodeURIComponent(here)}`}>sign in as {inv.email}</Link> and come back to this link.
                </>
              }
            />
          </>
        )}
        {error && !error.field && <Alert>{error.message}</Alert>}
        <button type="submit" className="button block" disabled={busy}>
          {busy ? 'Joining…' : 'Accept invitation'}
        </button>
      </form>
    </AuthLayout>
  );
}

function InvalidInvitation() {
  return (
    <AuthLayout title="Invitation" footer={<Link to="/">Go to Roster</Link>}>
      <Alert>{INVALID}</Alert>
      <p className="muted">Ask the person who invited you to send a new invitation.</p>
    </AuthLayout>
  );
}

// The link proves the mailbox, not the account (anyone can sign up with someone else's
// address), so the page verifies nothing on load: a mail scanner that runs the page proves
// nothing. A click verifies when signed in as the account; otherwise the server asks for the
// account's password, or a new one, which reclaims the account and signs everyone else out.
export function VerifyEmailPage({ query }: { query: URLSearchParams }) {
  const token = query.get('token') ?? '';
  const client = useClient();
  // 'confirm': the first click; 'password': the account's password; 'new': a new password.
  const [step, setStep] = useState<'confirm' | 'password' | 'new'>('confirm');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState<{ email: string; reclaimed: boolean } | null>(null);
  const [error, setError] = useState<{ message: string; field?: string | null } | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (step === 'new' && password !== confirm) {
      setError({ message: 'The two passwords differ.', field: 'confirm' });
      return;
    }
    setBusy(true);
    setError(null);
    const res = await client
      .mutation(VerifyEmailMutation, {
        token,
        password: step === 'password' ? password : null,
        newPassword: step === 'new' ? password : null,
      })
      .toPromise();
    setBusy(false);
    const out = res.data?.verifyEmail;
    if (out?.__typename === 'VerifyEmailSuccess') {
      if (out.token) setToken(out.token);
      setDone({ email: out.user.email, reclaimed: !!out.token });
    } else if (out?.__typename === 'PasswordRequiredError') {
      setStep('password');
    } else if (out?.__typename === 'InvalidCredentialsError') {
      setError({ message: out.message, field: 'password' });
    } else if (out && 'message' in out) {
      setError({ message: out.message, field: out.__typename === 'ValidationError' ? 'password' : null });
    } else {
      setError({ message: errorMessage(res.error) ?? 'Could not verify the email address.' });
    }
  }
  const fieldError = (f: string) => (error?.field === f ? error.message : null);
  const choose = (next: 'password' | 'new') => {
    setStep(next);
    setPassword('');
    setConfirm('');
    setError(null);
  };

  if (!token) {
    return (
      <AuthLayout title="Verify your email" footer={<Link to="/">Go to Roster</Link>}>
        <Alert>This verification link is incomplete. Open the link from your email again.</Alert>
      </AuthLayout>
    );
  }
  if (done) {
    return (
      <AuthLayout title="Verify your email" footer={<Link to="/">Go to Roster</Link>}>
        <Alert tone="success">Thank you: {done.email} is verified.</Alert>
        {done.reclaimed && <p className="muted">You are signed in with your new password; every other session of this account was signed out.</p>}
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Verify your email" footer={<Link to="/">Go to Roster</Link>}>
      <form onSubmit={submit}>
        {step === 'confirm' && <p>Confirm that this email address is yours.</p>}
        {step === 'password' && (
          <>
            <p className="muted">To verify the address, enter the password of its account.</p>
            <TextField
              label="Password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              autoFocus
              error={fieldError('password')}
              hint={
                <>
                  Did not sign up yourself, or forgot the password?{' '}
                  <button type="button" className="link-button" onClick={() => choose('new')}>
                    Choose a new password
                  </button>
                </>
              }
            />
          </>
        )}
        {step === 'new' && (
          <>
            <p className="muted">Choose a new password. This makes the account yours: everyone else using it is signed out.</p>
            <TextField
              label="New password"
              type="password"
              autoComplete="new-password"
              minLength={8}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              autoFocus
              hint="At least 8 characters."
              error={fieldError('password')}
            />
            <TextField
              label="Repeat the new password"
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
              required
              error={fieldError('confirm')}
            />
            <button type="button" className="link-button" onClick={() => choose('password')}>
              I know the password
            </button>
          </>
        )}
        {error && !error.field && <Alert>{error.message}</Alert>}
        <button type="submit" className="button block" disabled={busy}>
          {busy ? 'Verifying…' : 'Verify my email'}
        </button>
      </form>
    </AuthLayout>
  );
}

export function ResetPasswordPage({ query }: { query: URLSearchParams }) {
  const token = query.get('token') ?? '';
  const client = useClient();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<{ message: string; field?: string | null } | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (password !== confirm) {
      setError({ message: 'The two passwords differ.', field: 'confirm' });
      return;
    }
    setBusy(true);
    setError(null);
    const res = await client.mutation(ResetPasswordMutation, { token, password }).toPromise();
    setBusy(false);
    const out = res.data?.resetPassword;
    if (out?.__typename === 'ResetPasswordSuccess') {
      setToken(out.token);
      navigate('/?passwordReset=1', { replace: true });
    } else if (out && 'message' in out) {
      setError({ message: out.message, field: out.__typename === 'ValidationError' ? out.field : null });
    } else {
      setError({ message: errorMessage(res.error) ?? 'Could not reset the password.' });
    }
  }
  const fieldError = (f: string) => (error?.field === f ? error.message : null);

  if (!token) {
    return (
      <AuthLayout title="Choose a new password" footer={<Link to="/forgot-password">Send a new link</Link>}>
        <Alert>This reset link is incomplete. Open the link from your email again.</Alert>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout
      title="Choose a new password"
      footer={
        <p>
          Link expired? <Link to="/forgot-password">Send a new one</Link>
        </p>
      }
    >
      <form onSubmit={submit}>
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          minLength={8}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          autoFocus
          hint="At least 8 characters."
          error={fieldError('password')}
        />
        <TextField
          label="Repeat the new password"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          required
          error={fieldError('confirm')}
        />
        {error && !error.field && <Alert>{error.message}</Alert>}
        <button type="submit" className="button block" disabled={busy}>
          {busy ? 'Saving…' : 'Save new password'}
        </button>
      </form>
    </AuthLayout>
  );
}
