import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createRosterFetcher, sameOriginWsUrl } from './fetcher';

const fetcher = createRosterFetcher({ url: '/graphql', wsUrl: sameOriginWsUrl('/graphql') });

const defaultQuery = `# Welcome to Roster's GraphiQL.
#
# 1. Sign up or sign in: mutation signUp / signIn
#    answers a token.
# 2. Open Headers (below) and add
#      {"Authorization": "Bearer <token>"}
#    It goes with every request, and in the
#    websocket's connection_init payload for
#    subscriptions (memberListChanged).
#
# Without it, viewer is null.

{
  viewer {
    email
  }
}
`;

createRoot(document.getElementById('graphiql')!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultQuery={defaultQuery} />
  </StrictMode>,
);
