// Drives a live roster server with the reference graphql-ws client (graphql-transport-ws):
// a signed-in subscriber receives the INVITED event of an invitation made over HTTP, and a
// connection with a bad token is refused at connection_init.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const base = process.argv[2];
const ws = base.replace(/^http/, 'ws') + '/graphql';

async function graphql(query, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + '/graphql', { method: 'POST', headers, body: JSON.stringify({ query }) });
  return res.json();
}

function fail(message) {
  console.log(`FAIL ${message}`);
  console.log('graphql-ws client: 0 passed, 1 failed');
  process.exit(1);
}

const signUp = await graphql('mutation { signUp(email: "ws@example.com", password: "ws-password") { ... on SignUpSuccess { token } } }');
const token = signUp.data.signUp.token;
const created = await graphql('mutation { createOrganization(name: "Ws") { ... on CreateOrganizationSuccess { organization { id } } } }', token);
const org = created.data.createOrganization.organization.id;

// 1. A subscriber receives the event.
const client = createClient({ url: ws, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` } });
const received = new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no event within 5 s')), 5000);
  client.subscribe(
    { query: `subscription { memberListChanged(scope: {organizationId: "${org}"}) { kind member { user { email } status } } }` },
    {
      next: (value) => { clearTimeout(timer); resolve(value); },
      error: (err) => { clearTimeout(timer); reject(err); },
      complete: () => {},
    },
  );
});
// graphql-transport-ws has no "subscribed" acknowledgement; give the server a moment.
await new Promise((r) => setTimeout(r, 300));
await graphql(`mutation { inviteUser(scope: {organizationId: "${org}"}, email: "bob@example.com") { __typename } }`, token);
let event;
try {
  event = await received;
} catch (err) {
  fail(`subscription: ${err.message ?? JSON.stringify(err)}`);
}
const change = event.data?.memberListChanged;
if (change?.kind !== 'INVITED' || change?.member?.user?.email !== 'bob@example.com' || change?.member?.status !== 'UNVERIFIED') {
  fail(`unexpected event ${JSON.stringify(event)}`);
}
await client.dispose();

// 2. A bad token is refused at connection_init with 4403.
const refused = await new Promise((resolve) => {
  const bad = createClient({
    url: ws,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: 'Bearer not-a-token' },
    on: { closed: (e) => resolve(e.code) },
  });
  bad.subscribe({ query: `subscription { memberListChanged(scope: {organizationId: "${org}"}) { kind } } ` }, { next() {}, error() {}, complete() {} });
});
if (refused !== 4403) fail(`a bad token closed with ${refused}, expected 4403`);
console.log('graphql-ws client: 2 passed, 0 failed');
