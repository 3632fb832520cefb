// A Roster client: urql over HTTP for queries and mutations, graphql-ws (the
// `graphql-transport-ws` protocol) for subscriptions, and Graphcache as the normalized cache
// that merges `memberListChanged` events into cached member lists.
import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { createClient as createWsClient } from 'graphql-ws';
import { cacheOptions } from './cache';

export interface RosterClientOptions {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:8000/graphql`. */
  url: string;
  /** The websocket endpoint; by default `url` with `ws:` or `wss:`. */
  wsUrl?: string;
  /** The bearer token to send, read at each request and each websocket connection. */
  getToken: () => string | null;
  /**
   * A WebSocket implementation where there is no global one (Node before 22: pass the `ws`
   * package's `WebSocket`).
   */
  webSocketImpl?: unknown;
}

export interface RosterClient {
  urql: Client;
  /** Closes the websocket; pending subscriptions complete. */
  dispose(): Promise<void>;
}

function authorization(token: string | null): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

export function createRosterClient(options: RosterClientOptions): RosterClient {
  const wsUrl = options.wsUrl ?? options.url.replace(/^http/, 'ws');
  const socket = createWsClient({
    url: wsUrl,
    // Connect with the first subscription, close a few seconds after the last one ends.
    lazy: true,
    // Sent in `connection_init`: the websocket's equivalent of the Authorization header.
    connectionParams: () => authorization(options.getToken()),
    ...(options.webSocketImpl === undefined ? {} : { webSocketImpl: options.webSocketImpl }),
  });

  const urql = new Client({
    url: options.url,
    preferGetMethod: false,
    fetchOptions: () => ({ headers: authorization(options.getToken()) }),
    exchanges: [
      cacheExchange(cacheOptions),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const payload = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = socket.subscribe(payload, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });

  return {
    urql,
    dispose: async () => {
      await socket.dispose();
    },
  };
}
