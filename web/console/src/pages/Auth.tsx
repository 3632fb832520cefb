import { useState, type FormEvent, type ReactNode } from 'react';
import { useClient } from 'urql';
import { Alert, errorMessage, TextField } from '../components/ui';
import { RequestPasswordResetMutation } from '../graphql/identity';
import { SignInMutation, SignUpMutation } from '../graphql/operations';
import { Link, navigate } from '../router';
import { setToken } from '../session';

export function AuthLayout({ title, children, footer }: { title: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="auth">
      <main className="auth-card" id="main">
        <p className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">R</span> Roster
        </p>
        <h1>{title}</h1>
        {children}
        {footer && <div className="auth-footer">{footer}</div>}
      </main>
    </div>
  );
}

/** Where to go after signing in: ?next= when it stays inside the console. */
export function nextPath(query: URLSearchParams): string {
  const next = query.get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignInPage({ query }: { query: URLSearchParams }) {
  const client = useClient();
  const [email, setEmail] = useState(query.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const res = await client.mutation(SignInMutation, { email: email.trim(), password }).toPromise();
    setBusy(false);
    const out = res.data?.signIn;
    if (out?.__typename === 'SignInSuccess') {
      setToken(out.token);
      navigate(nextPath(query), { replace: true });
    } else {
      setError((out && 'message' in out ? out.message : null) ?? errorMessage(res.error) ?? 'Could not sign in.');
    }
  }

  const keep = query.get('next') ? `?next=${encodeURIComponent(query.get('next')!)}` : '';
  return (
    <AuthLayout
      title="Sign in"
      footer={
        <>
          <p>
            New to Roster? <Link to={`/sign-up${keep}`}>Create an account</Link>
          </p>
          <p>
            <Link to={`/forgot-password${email ? `?email=${encodeURIComponent(email)}` : ''}`}>Forgot your password?</Link>
          </p>
        </>
      }
    >
      <form onSubmit={submit} noValidate={false}>
        <TextField label="Email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        {error && <Alert>{error}</Alert>}
        <button type="submit" className="button block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthLayout>
  );
}

export function SignUpPage({ query }: { query: URLSearchParams }) {
  const client = useClient();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ message: string; field?: string | null } | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const res = await client
      .mutation(SignUpMutation, { email: email.trim(), password, displayName: displayName.trim() || null })
      .toPromise();
    setBusy(false);
    const out = res.data?.signUp;
    if (out?.__typename === 'SignUpSuccess') {
      setToken(out.token);
      navigate(nextPath(query), { replace: true });
    } else if (out && 'message' in out) {
      setError({ message: out.message, field: out.__typename === 'ValidationError' ? out.field : null });
    } else {
      setError({ message: errorMessage(res.error) ?? 'Could not create the account.' });
    }
  }

  const fieldError = (f: string) => (error?.field === f ? error.message : null);
  const keep = query.get('next') ? `?next=${encodeURIComponent(query.get('next')!)}` : '';
  return (
    <AuthLayout
      title="Create your account"
      footer={
        <p>
          Already have an account? <Link to={`/sign-in${keep}`}>Sign in</Link>
        </p>
      }
    >
      <form onSubmit={submit}>
        <TextField label="Name" autoComplete="name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} error={fieldError('displayName')} autoFocus />
        <TextField label="Email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required error={fieldError('email')} />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          minLength={8}
          hint="At least 8 characters."
          error={fieldError('password')}
        />
        {error && !error.field && <Alert>{error.message}</Alert>}
        <button type="submit" className="button block" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
      </form>
    </AuthLayout>
  );
}

export function ForgotPasswordPage({ query }: { query: URLSearchParams }) {
  const client = useClient();
  const [email, setEmail] = useState(query.get('email') ?? '');
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSent(null);
    const res = await client.mutation(RequestPasswordResetMutation, { email: email.trim() }).toPromise();
    setBusy(false);
    const out = res.data?.requestPasswordReset;
    if (out?.__typename === 'RequestPasswordResetSuccess') setSent(out.message);
    else setError((out && 'message' in out ? out.message : null) ?? errorMessage(res.error) ?? 'Could not send the email.');
  }

  return (
    <AuthLayout
      title="Reset your password"
      footer={
        <p>
          Remembered it? <Link to="/sign-in">Sign in</Link>
        </p>
      }
    >
      <p className="muted">Enter your account's email address and we will send you a link to choose a new password.</p>
      <form onSubmit={submit}>
        <TextField label="Email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
        {error && <Alert>{error}</Alert>}
        {sent && <Alert tone="success">{sent}</Alert>}
        <button type="submit" className="button block" disabled={busy}>
          {busy ? 'Sending…' : 'Send reset link'}
        </button>
      </form>
    </AuthLayout>
  );
}
