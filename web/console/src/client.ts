// The console's GraphQL client: urql over HTTP for queries and mutations, graphql-ws on
// the same origin's /graphql for subscriptions.
//
// Live lists must survive network drops without losing a change. graphql-ws reconnects by
// itself (retryAttempts high, shouldRetry always, keepAlive pings with a pong timeout) and
// then sends each active subscription's payload again. We keep that payload's `after`
// variable pointed at the last event's `cursor`, so the resubscription resumes right
// after the last change this page applied: nothing missed, nothing twice.
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { useSyncExternalStore } from 'react';

export type LiveStatus = 'idle' | 'connecting' | 'live' | 'reconnecting';

let liveStatus: LiveStatus = 'idle';
const statusListeners = new Set<() => void>();
function setLiveStatus(next: LiveStatus) {
  if (next === liveStatus) return;
  liveStatus = next;
  statusListeners.forEach((l) => l());
}
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    (l) => {
      statusListeners.add(l);
      return () => statusListeners.delete(l);
    },
    () => liveStatus,
  );
}

function wsUrl(): string {
  const url = new URL('/graphql', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** Resolves after `ms`, or at once when the browser comes back online. */
function waitOrOnline(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener('online', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    window.addEventListener('online', done);
  });
}

const PING_INTERVAL_MS = 10_000;
const PONG_TIMEOUT_MS = 5_000;

function createSocket(token: string | null): WsClient {
  let activeSocket: WebSocket | null = null;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  let everConnected = false;

  const client = createWsClient({
    url: wsUrl(),
    lazy: true,
    lazyCloseTimeout: 3_000,
    connectionParams: () => (token ? { authorization: `Bearer ${token}` } : {}),
    retryAttempts: Number.MAX_SAFE_INTEGER,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      const base = Math.min(500 * 2 ** retries, 5_000);
      await waitOrOnline(base + Math.random() * 300);
    },
    keepAlive: PING_INTERVAL_MS,
    on: {
      connecting: () => setLiveStatus(everConnected ? 'reconnecting' : 'connecting'),
      connected: (socket) => {
        everConnected = true;
        activeSocket = socket as WebSocket;
        setLiveStatus('live');
      },
      closed: () => {
        activeSocket = null;
        clearTimeout(pongTimer);
        setLiveStatus(everConnected ? 'reconnecting' : 'idle');
      },
      ping: (received) => {
        if (received) return; // the server's pings are answered by graphql-ws
        clearTimeout(pongTimer);
        pongTimer = setTimeout(() => {
          // No pong: the connection is dead without knowing it. Terminate so graphql-ws
          // reconnects (4499) and resubscribes from the last cursor.
          if (activeSocket?.readyState === WebSocket.OPEN) client.terminate();
        }, PONG_TIMEOUT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
    },
  });

  // A socket that lived through the network going away may be half-dead; drop it now
  // rather than after the pong timeout. Coming back online cuts the retry wait short.
  const onOffline = () => {
    if (activeSocket) client.terminate();
  };
  window.addEventListener('offline', onOffline);
  const dispose = client.dispose;
  client.dispose = () => {
    window.removeEventListener('offline', onOffline);
    clearTimeout(pongTimer);
    return dispose();
  };
  return client;
}

function declaresVariable(query: DocumentNode | undefined, name: string): boolean {
  if (!query) return false;
  const op = query.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  return !!op?.variableDefinitions?.some((v) => v.variable.name.value === name);
}

export interface RosterClient {
  urql: Client;
  dispose(): void;
}

export function createRosterClient(token: string | null): RosterClient {
  const socket = createSocket(token);
  const urql = new Client({
    url: '/graphql',
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetchOptions: (): RequestInit => ({
      headers: token ? { authorization: `Bearer ${token}` } : ({} as Record<string, string>),
    }),
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request, operation) {
          // One payload object per subscription: graphql-ws sends this same object again
          // when it resubscribes after a reconnect, so updating `after` here resumes there.
          const resumable = declaresVariable(operation.query, 'after');
          const payload = {
            query: request.query ?? '',
            operationName: request.operationName,
            variables: { ...(request.variables as Record<string, unknown>) },
            extensions: request.extensions,
          };
          return {
            subscribe(sink) {
              const unsubscribe = socket.subscribe(payload, {
                next(result) {
                  if (resumable && result.data) {
                    const root = Object.values(result.data)[0] as { cursor?: unknown } | null;
                    if (root && typeof root.cursor === 'string') payload.variables.after = root.cursor;
                  }
                  sink.next(result as never);
                },
                error: (err) => sink.error(err),
                complete: () => sink.complete(),
              });
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return {
    urql,
    dispose() {
      void socket.dispose();
      setLiveStatus('idle');
    },
  };
}
