import { useEffect, useState } from 'react';
import { useClient } from 'urql';
import type { AuditLogQuery as AuditLogResult } from '../gql/graphql';
import { AuditLogQuery } from '../graphql/operations';
import { Alert, EmptyState, errorMessage, Spinner, When } from './ui';

type Entry = AuditLogResult['auditLog']['nodes'][number];

export function AuditLog({ organizationId }: { organizationId: string }) {
  const client = useClient();
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [endCursor, setEndCursor] = useState<string | null>(null);
  const [hasNext, setHasNext] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [epoch, setEpoch] = useState(0);

  async function load(after: string | null) {
    setBusy(true);
    const res = await client
      .query(AuditLogQuery, { organizationId, first: 50, after }, { requestPolicy: 'network-only' })
      .toPromise();
    setBusy(false);
    const page = res.data?.auditLog;
    if (!page) {
      setError(errorMessage(res.error) ?? 'The audit log could not be loaded.');
      if (!after) setEntries([]);
      return;
    }
    setError(null);
    setEntries((prev) => (after && prev ? [...prev, ...page.nodes] : page.nodes));
    setEndCursor(page.pageInfo.endCursor ?? null);
    setHasNext(page.pageInfo.hasNextPage);
  }

  useEffect(() => {
    setEntries(null);
    void load(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [organizationId, epoch]);

  return (
    <section className="card" aria-labelledby="audit-title">
      <header className="card-header">
        <div>
          <h2 id="audit-title">Audit log</h2>
          <p className="muted">Every invitation, resend, cancellation, acceptance and removal, newest first.</p>
        </div>
        <button type="button" className="button secondary small" onClick={() => setEpoch((n) => n + 1)} disabled={busy}>
          Refresh
        </button>
      </header>
      {error && <Alert>{error}</Alert>}
      {entries === null && <Spinner label="Loading the audit log…" />}
      {entries && entries.length === 0 && !error && <EmptyState title="Nothing has happened yet" />}
      {entries && entries.length > 0 && (
        <div className="table-wrap">
          <table className="audit">
            <thead>
              <tr>
                <th scope="col">Action</th>
                <th scope="col">By</th>
                <th scope="col">Concerning</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-code={e.code}>
                  <td data-label="Action">
                    {e.action}
                    {e.teamId && <span className="badge badge-team">team</span>}
                  </td>
                  <td data-label="By">{e.actor?.email ?? <span className="muted">system</span>}</td>
                  <td data-label="Concerning">{e.target?.email ?? <span className="muted">—</span>}</td>
                  <td data-label="When">
                    <When iso={e.occurredAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {hasNext && (
        <div className="more">
          <button type="button" className="button secondary" onClick={() => void load(endCursor)} disabled={busy}>
            {busy ? 'Loading…' : 'Show older entries'}
          </button>
        </div>
      )}
    </section>
  );
}
