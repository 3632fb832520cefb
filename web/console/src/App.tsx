import { useEffect, useMemo } from 'react';
import { Provider } from 'urql';
import { createRosterClient } from './client';
import { ForgotPasswordPage, SignInPage, SignUpPage } from './pages/Auth';
import { ConsoleApp } from './pages/Console';
import { AcceptPage, ResetPasswordPage, VerifyEmailPage } from './pages/Links';
import { navigate, useLocation } from './router';
import { useToken } from './session';

const PUBLIC: Record<string, (p: { query: URLSearchParams }) => React.ReactNode> = {
  '/sign-in': SignInPage,
  '/sign-up': SignUpPage,
  '/forgot-password': ForgotPasswordPage,
  '/accept': AcceptPage,
  '/verify-email': VerifyEmailPage,
  '/reset-password': ResetPasswordPage,
};
const SIGNED_OUT_ONLY = new Set(['/sign-in', '/sign-up', '/forgot-password']);

export function App() {
  const token = useToken();
  // A new client (and websocket) per session: signing in or out starts clean.
  const client = useMemo(() => createRosterClient(token), [token]);
  useEffect(() => () => client.dispose(), [client]);
  const { path, query } = useLocation();

  useEffect(() => {
    if (!token && !PUBLIC[path]) {
      const next = path === '/' ? '' : `?next=${encodeURIComponent(path + (query.size ? `?${query}` : ''))}`;
      navigate(`/sign-in${next}`, { replace: true });
    } else if (token && SIGNED_OUT_ONLY.has(path)) {
      const next = query.get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    }
  }, [token, path, query]);

  useEffect(() => {
    const titles: Record<string, string> = {
      '/sign-in': 'Sign in',
      '/sign-up': 'Create your account',
      '/forgot-password': 'Reset your password',
      '/accept': 'Accept invitation',
      '/verify-email': 'Verify your email',
      '/reset-password': 'Choose a new password',
    };
    document.title = `${titles[path] ?? 'Console'} · Roster`;
  }, [path]);

  const Page = PUBLIC[path];
  return (
    <Provider value={client.urql}>
      {Page ? <Page query={query} /> : token ? <ConsoleApp path={path} query={query} /> : null}
    </Provider>
  );
}
