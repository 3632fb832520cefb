// The signed-in console: a sidebar (Admin → Manage Organization, My Teams), the
// organization switcher, and the pages behind them.
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useClient, useQuery } from 'urql';
import { AuditLog } from '../components/AuditLog';
import { MemberList } from '../components/MemberList';
import { Alert, EmptyState, errorMessage, Spinner, TextField } from '../components/ui';
import {
  AdminProbeQuery,
  CreateOrganizationMutation,
  CreateTeamMutation,
  MyOrganizationsQuery,
  MyTeamsQuery,
  OrganizationTeamsQuery,
  SignOutMutation,
  TeamOwnerProbe,
  TeamQuery,
  ViewerQuery,
} from '../graphql/operations';
import { SendVerificationEmailMutation, ViewerVerificationQuery } from '../graphql/identity';
import { Link, match, navigate } from '../router';
import { getOrganizationId, setOrganizationId, signOutLocally, useOrganizationId } from '../session';

type Org = { id: string; name: string };

function useAdmin(organizationId: string | null): boolean | null {
  const [probe] = useQuery({
    query: AdminProbeQuery,
    variables: { organizationId: organizationId ?? '' },
    pause: !organizationId,
    requestPolicy: 'cache-and-network',
  });
  if (!organizationId || (probe.fetching && !probe.data && !probe.error)) return null;
  return !!probe.data?.auditLog;
}

export function ConsoleApp({ path, query }: { path: string; query: URLSearchParams }) {
  const client = useClient();
  const [viewer] = useQuery({ query: ViewerQuery, requestPolicy: 'cache-and-network' });
  const [orgs, refetchOrgs] = useQuery({ query: MyOrganizationsQuery, requestPolicy: 'cache-and-network' });
  const storedOrg = useOrganizationId();
  const [navOpen, setNavOpen] = useState(false);

  const routeOrg = match('/org/:orgId', path) ?? match('/org/:orgId/*', path) ?? prefixParam(path, '/org/');
  const organizations: Org[] = orgs.data?.myOrganizations ?? [];
  const currentOrgId = routeOrg?.orgId ?? storedOrg ?? organizations[0]?.id ?? null;
  const currentOrg = organizations.find((o) => o.id === currentOrgId) ?? null;
  const isAdmin = useAdmin(currentOrg?.id ?? null);

  useEffect(() => {
    if (routeOrg?.orgId && routeOrg.orgId !== getOrganizationId()) setOrganizationId(routeOrg.orgId);
  }, [routeOrg?.orgId]);
  useEffect(() => setNavOpen(false), [path]);
  // After in-app navigation, move focus to the new page's content (as a page load would).
  const firstPath = useRef(true);
  useEffect(() => {
    if (firstPath.current) {
      firstPath.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [path]);
  useEffect(() => {
    if (!navOpen) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setNavOpen(false);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [navOpen]);

  // A stored token the server no longer knows: back to signing in.
  useEffect(() => {
    if (viewer.data && viewer.data.viewer === null) {
      signOutLocally();
      navigate(`/sign-in?next=${encodeURIComponent(path)}`, { replace: true });
    }
  }, [viewer.data, path]);

  if (viewer.error && !viewer.data) {
    return (
      <div className="auth">
        <main className="auth-card">
          <Alert>{errorMessage(viewer.error)}</Alert>
          <button className="button" type="button" onClick={() => window.location.reload()}>
            Try again
          </button>
        </main>
      </div>
    );
  }
  if (!viewer.data?.viewer || !orgs.data) return <Spinner label="Loading your workspace…" />;
  const me = viewer.data.viewer;

  async function signOut() {
    await client.mutation(SignOutMutation, {}).toPromise();
    signOutLocally();
    navigate('/sign-in', { replace: true });
  }

  let page: ReactNode;
  let m: Record<string, string> | null;
  if (path === '/' || path === '') {
    page = <Home organizations={organizations} currentOrgId={currentOrgId} notice={query.get('passwordReset') ? 'Your password has been changed.' : null} />;
  } else if (path === '/joined') {
    page = <Joined organizations={organizations} query={query} />;
  } else if (path === '/organizations/new') {
    page = <NewOrganization onCreated={() => refetchOrgs({ requestPolicy: 'network-only' })} first={organizations.length === 0} />;
  } else if ((m = match('/org/:orgId/manage', path) ?? match('/org/:orgId/manage/:tab', path))) {
    page = currentOrg ? <ManageOrganization org={currentOrg} tab={m.tab ?? 'members'} isAdmin={isAdmin} /> : <OrgNotFound />;
  } else if ((m = match('/org/:orgId/teams', path))) {
    page = currentOrg ? <MyTeams org={currentOrg} isAdmin={isAdmin} /> : <OrgNotFound />;
  } else if ((m = match('/teams/:teamId', path) ?? match('/teams/:teamId/:tab', path))) {
    page = <TeamPage teamId={m.teamId} viewerId={me.id} />;
  } else {
    page = (
      <EmptyState title="Page not found">
        <Link to="/">Go to your organization</Link>
      </EmptyState>
    );
  }

  const section = path.includes('/manage') ? 'manage' : path.includes('/teams') ? 'teams' : '';

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="icon-button nav-toggle"
          aria-label="Menu"
          aria-expanded={navOpen}
          aria-controls="sidebar"
          onClick={() => setNavOpen(!navOpen)}
        >
          <span aria-hidden="true">☰</span>
        </button>
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true">R</span> Roster
        </Link>
        {organizations.length > 0 && (
          <div className="org-switcher">
            <label htmlFor="org-switcher">Organization</label>
            <select
              id="org-switcher"
              value={currentOrg?.id ?? ''}
              onChange={(e) => {
                if (e.target.value === '__new') {
                  navigate('/organizations/new');
                  return;
                }
                setOrganizationId(e.target.value);
                navigate(section === 'teams' ? `/org/${e.target.value}/teams` : `/org/${e.target.value}/manage`);
              }}
            >
              {!currentOrg && <option value="">Choose…</option>}
              {organizations.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
              <option value="__new">+ New organization…</option>
            </select>
          </div>
        )}
        <div className="me">
          <span className="me-name" title={me.email}>
            {me.displayName ?? me.email}
          </span>
          <button type="button" className="button secondary small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <VerifyBanner />
      <div className="body">
        <nav id="sidebar" className={`sidebar${navOpen ? ' open' : ''}`} aria-label="Main">
          {currentOrg ? (
            <ul>
              <li className="nav-group">
                <span className="nav-heading" id="nav-admin">
                  {isAdmin === false ? 'Organization' : 'Admin'}
                </span>
                <ul aria-labelledby="nav-admin">
                  <li>
                    <Link to={`/org/${currentOrg.id}/manage`} aria-current={section === 'manage' ? 'page' : undefined}>
                      {isAdmin === false ? 'Members' : 'Manage Organization'}
                    </Link>
                  </li>
                </ul>
              </li>
              <li>
                <Link to={`/org/${currentOrg.id}/teams`} aria-current={section === 'teams' ? 'page' : undefined}>
                  My Teams
                </Link>
              </li>
              <li>
                <Link to="/organizations/new" aria-current={path === '/organizations/new' ? 'page' : undefined}>
                  New organization
                </Link>
              </li>
            </ul>
          ) : (
            <ul>
              <li>
                <Link to="/organizations/new">New organization</Link>
              </li>
            </ul>
          )}
        </nav>
        {navOpen && <div className="backdrop" aria-hidden="true" onClick={() => setNavOpen(false)} />}
        <main className="content" id="main" tabIndex={-1}>
          {page}
        </main>
      </div>
    </div>
  );
}

function prefixParam(path: string, prefix: string): Record<string, string> | null {
  if (!path.startsWith(prefix)) return null;
  const id = path.slice(prefix.length).split('/')[0];
  return id ? { orgId: decodeURIComponent(id) } : null;
}

function OrgNotFound() {
  return (
    <EmptyState title="Organization not found">
      It does not exist, or you are not a member of it. <Link to="/">Go to your organizations</Link>
    </EmptyState>
  );
}

function Home({ organizations, currentOrgId, notice }: { organizations: Org[]; currentOrgId: string | null; notice: string | null }) {
  const target = organizations.find((o) => o.id === currentOrgId) ?? organizations[0];
  useEffect(() => {
    if (target && !notice) navigate(`/org/${target.id}/manage`, { replace: true });
  }, [target, notice]);
  if (notice) {
    return (
      <>
        <Alert tone="success">{notice}</Alert>
        {target ? <Link to={`/org/${target.id}/manage`}>Go to {target.name}</Link> : <Link to="/organizations/new">Create an organization</Link>}
      </>
    );
  }
  if (target) return <Spinner />;
  return (
    <EmptyState title="You are not in any organization yet">
      <p>Create one, or open the invitation link someone sent you.</p>
      <Link className="button" to="/organizations/new">
        Create an organization
      </Link>
    </EmptyState>
  );
}

/** After accepting an invitation: find the organization (or team) by name and go there. */
function Joined({ organizations, query }: { organizations: Org[]; query: URLSearchParams }) {
  const orgName = query.get('organization');
  const teamName = query.get('team');
  const [teams] = useQuery({ query: MyTeamsQuery, pause: !teamName, requestPolicy: 'network-only' });
  useEffect(() => {
    const org = [...organizations].reverse().find((o) => o.name === orgName);
    if (teamName) {
      if (!teams.data) return;
      const team = [...teams.data.myTeams].reverse().find((t) => t.name === teamName && (!org || t.organization.id === org.id));
      if (team) {
        setOrganizationId(team.organization.id);
        navigate(`/teams/${team.id}/members`, { replace: true });
        return;
      }
    }
    if (org) {
      setOrganizationId(org.id);
      navigate(`/org/${org.id}/manage`, { replace: true });
    } else navigate('/', { replace: true });
  }, [organizations, orgName, teamName, teams.data]);
  return <Spinner label="Opening your organization…" />;
}

function NewOrganization({ onCreated, first }: { onCreated(): void; first: boolean }) {
  const client = useClient();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const res = await client.mutation(CreateOrganizationMutation, { name: name.trim() }).toPromise();
    setBusy(false);
    const out = res.data?.createOrganization;
    if (out?.__typename === 'CreateOrganizationSuccess') {
      setOrganizationId(out.organization.id);
      onCreated();
      navigate(`/org/${out.organization.id}/manage`);
    } else setError((out && 'message' in out ? out.message : null) ?? errorMessage(res.error) ?? 'Could not create the organization.');
  }
  return (
    <div className="narrow">
      <h1>{first ? 'Create your first organization' : 'New organization'}</h1>
      <p className="muted">You become its first administrator, and can invite people right away.</p>
      <form className="card" onSubmit={submit}>
        <TextField label="Organization name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoFocus />
        {error && <Alert>{error}</Alert>}
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Creating…' : 'Create organization'}
        </button>
      </form>
    </div>
  );
}

function Tabs({ label, tabs, current }: { label: string; tabs: { key: string; title: string; to: string }[]; current: string }) {
  return (
    <nav className="tabs" aria-label={label}>
      {tabs.map((t) => (
        <Link key={t.key} to={t.to} aria-current={t.key === current ? 'page' : undefined}>
          {t.title}
        </Link>
      ))}
    </nav>
  );
}

function ManageOrganization({ org, tab, isAdmin }: { org: Org; tab: string; isAdmin: boolean | null }) {
  const base = `/org/${org.id}/manage`;
  const tabs = [
    { key: 'members', title: 'Members', to: base },
    { key: 'teams', title: 'Teams', to: `${base}/teams` },
    ...(isAdmin ? [{ key: 'audit', title: 'Audit log', to: `${base}/audit` }] : []),
  ];
  return (
    <>
      <div className="page-header">
        <p className="eyebrow">{isAdmin === false ? 'Organization' : 'Admin · Manage Organization'}</p>
        <h1>{org.name}</h1>
      </div>
      <Tabs label="Organization sections" tabs={tabs} current={tab} />
      {isAdmin === false && (
        <Alert tone="info">You are a member of this organization. Its administrators can invite people and manage the list.</Alert>
      )}
      {tab === 'members' && <MemberList key={org.id} scope={{ organizationId: org.id }} canInvite={isAdmin === true} title="Organization members" />}
      {tab === 'teams' && <OrganizationTeams org={org} isAdmin={isAdmin === true} />}
      {tab === 'audit' && (isAdmin ? <AuditLog organizationId={org.id} /> : isAdmin === null ? <Spinner /> : <Alert>Only administrators can read the audit log.</Alert>)}
    </>
  );
}

function OrganizationTeams({ org, isAdmin }: { org: Org; isAdmin: boolean }) {
  const client = useClient();
  const [result, refetch] = useQuery({ query: OrganizationTeamsQuery, variables: { id: org.id }, requestPolicy: 'cache-and-network' });
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function create(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const res = await client.mutation(CreateTeamMutation, { organizationId: org.id, name: name.trim() }).toPromise();
    setBusy(false);
    const out = res.data?.createTeam;
    if (out?.__typename === 'CreateTeamSuccess') {
      setName('');
      refetch({ requestPolicy: 'network-only' });
    } else setError((out && 'message' in out ? out.message : null) ?? errorMessage(res.error) ?? 'Could not create the team.');
  }
  const teams = result.data?.organization?.teams;
  return (
    <section className="card" aria-labelledby="org-teams-title">
      <header className="card-header">
        <div>
          <h2 id="org-teams-title">Teams in {org.name}</h2>
          <p className="muted">As an administrator you can open and manage every team.</p>
        </div>
      </header>
      {isAdmin && (
        <form className="inline-form" onSubmit={create}>
          <div className="field grow">
            <label htmlFor="new-team-name">New team</label>
            <input id="new-team-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} placeholder="Design" />
          </div>
          <button type="submit" className="button" disabled={busy}>
            {busy ? 'Creating…' : 'Create team'}
          </button>
        </form>
      )}
      {error && <Alert>{error}</Alert>}
      {!teams && result.fetching && <Spinner label="Loading teams…" />}
      {result.error && !teams && <Alert>{errorMessage(result.error)}</Alert>}
      {teams && teams.length === 0 && <EmptyState title="No teams yet">{isAdmin ? 'Create the first one above.' : null}</EmptyState>}
      {teams && teams.length > 0 && (
        <ul className="team-list">
          {teams.map((t) => (
            <li key={t.id}>
              <Link to={`/teams/${t.id}/members`}>{t.name}</Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function MyTeams({ org, isAdmin }: { org: Org; isAdmin: boolean | null }) {
  const [result] = useQuery({ query: MyTeamsQuery, requestPolicy: 'cache-and-network' });
  const mine = result.data?.myTeams.filter((t) => t.organization.id === org.id);
  return (
    <>
      <div className="page-header">
        <p className="eyebrow">{org.name}</p>
        <h1>My Teams</h1>
      </div>
      <section className="card" aria-labelledby="my-teams-title">
        <h2 id="my-teams-title" className="visually-hidden">
          Teams you belong to
        </h2>
        {!mine && result.fetching && <Spinner label="Loading your teams…" />}
        {result.error && !mine && <Alert>{errorMessage(result.error)}</Alert>}
        {mine && mine.length === 0 && <EmptyState title="You are not in any team of this organization" />}
        {mine && mine.length > 0 && (
          <ul className="team-list">
            {mine.map((t) => (
              <li key={t.id}>
                <Link to={`/teams/${t.id}/members`}>{t.name}</Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      {isAdmin && <OrganizationTeams org={org} isAdmin />}
    </>
  );
}

function TeamPage({ teamId, viewerId }: { teamId: string; viewerId: string }) {
  const [result] = useQuery({ query: TeamQuery, variables: { id: teamId }, requestPolicy: 'cache-and-network' });
  const team = result.data?.team;
  const isAdmin = useAdmin(team?.organization.id ?? null);
  const [myTeams] = useQuery({ query: MyTeamsQuery, requestPolicy: 'cache-and-network' });
  const [isOwner, setIsOwner] = useState<boolean | null>(null);
  const client = useClient();

  // Owners manage the team; whether the viewer is one shows in the team's own list.
  useEffect(() => {
    let live = true;
    setIsOwner(null);
    void client
      .query(
        TeamOwnerProbe,
        { scope: { teamId } },
        { requestPolicy: 'network-only' },
      )
      .toPromise()
      .then((r) => {
        if (!live) return;
        const nodes = r.data?.members.nodes ?? [];
        setIsOwner(nodes.some((n) => n.user.id === viewerId && n.role === 'OWNER' && n.status === 'VERIFIED'));
      });
    return () => {
      live = false;
    };
  }, [client, teamId, viewerId]);

  useEffect(() => {
    if (team && team.organization.id !== getOrganizationId()) setOrganizationId(team.organization.id);
  }, [team]);

  if (!team) {
    if (result.fetching) return <Spinner label="Loading the team…" />;
    return (
      <EmptyState title="Team not found">
        It does not exist, or you cannot see it. <Link to="/">Back</Link>
      </EmptyState>
    );
  }
  const member = myTeams.data?.myTeams.some((t) => t.id === team.id);
  const canManage = isAdmin === true || isOwner === true;
  return (
    <>
      <div className="page-header">
        <p className="eyebrow">
          <Link to={`/org/${team.organization.id}/teams`}>My Teams</Link> · {team.organization.name}
        </p>
        <h1>{team.name}</h1>
      </div>
      <Tabs label="Team sections" tabs={[{ key: 'members', title: 'Members', to: `/teams/${team.id}/members` }]} current="members" />
      {!member && isAdmin && <Alert tone="info">You are not in this team; you manage it as an organization administrator.</Alert>}
      <MemberList key={team.id} scope={{ teamId: team.id }} canInvite={canManage} title="Team members" />
    </>
  );
}


/** Until the account's email is verified: a reminder, and a way to get a new link. */
function VerifyBanner() {
  const client = useClient();
  const [result] = useQuery({ query: ViewerVerificationQuery, requestPolicy: 'cache-and-network' });
  const [state, setState] = useState<{ busy?: boolean; message?: string; error?: boolean } | null>(null);
  const viewer = result.data?.viewer;
  if (!viewer || viewer.emailVerified) return null;
  async function send() {
    setState({ busy: true });
    const res = await client.mutation(SendVerificationEmailMutation, {}).toPromise();
    const out = res.data?.sendVerificationEmail;
    if (out?.__typename === 'SendVerificationEmailSuccess') setState({ message: `We sent a new link to ${viewer!.email}.` });
    else setState({ error: true, message: (out && 'message' in out ? out.message : null) ?? errorMessage(res.error) ?? 'Could not send the link.' });
  }
  return (
    <div className="banner" role="region" aria-label="Email verification">
      <span>
        Please verify your email address, <strong>{viewer.email}</strong>: open the link we emailed you.
      </span>
      <button type="button" className="button secondary small" onClick={() => void send()} disabled={state?.busy}>
        {state?.busy ? 'Sending…' : 'Send the link again'}
      </button>
      {state?.message && (
        <span className={state.error ? 'banner-error' : 'banner-ok'} role={state.error ? 'alert' : 'status'}>
          {state.message}
        </span>
      )}
    </div>
  );
}
