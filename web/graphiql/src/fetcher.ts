// A GraphiQL fetcher for Roster.
//
// Queries and mutations go to `/graphql` over HTTP with the headers from GraphiQL's
// Headers editor. Subscriptions open their own graphql-ws client per operation, with
// `connectionParams` set to that operation's headers, so a bearer token typed into the
// Headers editor (`{"Authorization": "Bearer <token>"}`) authenticates the socket's
// `connection_init` too. (The toolkit's createGraphiQLFetcher only knows static
// `wsConnectionParams`.) The client is disposed when the subscription ends or is stopped.
import type { Fetcher, FetcherOpts, FetcherParams } from '@graphiql/toolkit';
import { getOperationAST, parse, type DocumentNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';

export interface RosterFetcherOptions {
  /** HTTP endpoint, e.g. `/graphql` or `https://api.example.com/graphql`. */
  url: string;
  /** Websocket endpoint, e.g. `wss://api.example.com/graphql`. */
  wsUrl: string;
}

type Headers = Record<string, string>;

/** The websocket URL of `path` on the page's own origin (ws: or wss: to match). */
export function sameOriginWsUrl(path: string, location: Location = window.location): string {
  const url = new URL(path, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

function stringHeaders(raw: FetcherOpts['headers']): Headers {
  const out: Headers = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || value === null) continue;
    out[name] = typeof value === 'string' ? value : String(value);
  }
  return out;
}

function isSubscription(params: FetcherParams, documentAST?: DocumentNode): boolean {
  let doc = documentAST;
  if (!doc) {
    try {
      doc = parse(params.query);
    } catch {
      return false; // let the server report the syntax error
    }
  }
  const op = getOperationAST(doc, params.operationName ?? undefined);
  return op?.operation === 'subscription';
}

interface Observer<T> {
  next(value: T): void;
  error(error: unknown): void;
  complete(): void;
}

function subscribe(wsUrl: string, params: FetcherParams, headers: Headers) {
  return {
    subscribe(observer: Partial<Observer<unknown>>) {
      let client: Client | null = createClient({
        url: wsUrl,
        connectionParams: headers,
        lazy: true,
        retryAttempts: 0,
      });
      let closed = false;
      const dispose = () => {
        if (closed) return;
        closed = true;
        const c = client;
        client = null;
        unsubscribe();
        void c?.dispose();
      };
      const unsubscribe = client.subscribe(
        {
          query: params.query,
          variables: params.variables ?? undefined,
          operationName: params.operationName ?? undefined,
        },
        {
          next: (value) => observer.next?.(value),
          error: (error) => {
            dispose();
            observer.error?.(describeSocketError(error));
          },
          complete: () => {
            dispose();
            observer.complete?.();
          },
        },
      );
      return { unsubscribe: dispose };
    },
  };
}

/** graphql-ws reports GraphQL errors as arrays and socket failures as CloseEvents. */
function describeSocketError(error: unknown): unknown {
  if (Array.isArray(error)) return { errors: error };
  if (error && typeof error === 'object' && 'code' in error && 'reason' in error) {
    const ev = error as { code: number; reason: string };
    return new Error(`The websocket closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ''}).`);
  }
  if (error instanceof Event) return new Error('Could not connect the websocket.');
  return error;
}

export function createRosterFetcher({ url, wsUrl }: RosterFetcherOptions): Fetcher {
  return async (params, opts) => {
    const headers = stringHeaders(opts?.headers);
    if (isSubscription(params, opts?.documentAST)) {
      return subscribe(wsUrl, params, headers);
    }
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        accept: 'application/graphql-response+json, application/json',
        'content-type': 'application/json',
        ...headers,
      },
      body: JSON.stringify(params),
    });
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 300)}` }] };
    }
  };
}
