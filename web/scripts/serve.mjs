#!/usr/bin/env node
// A small static server for the built front ends, for tests and local use before the
// roster binary serves them itself:
//   /console/...   web/dist/console (every path without a file answers index.html)
//   /graphiql/...  web/dist/graphiql
//   /graphql       proxied to the roster server, HTTP and websocket upgrades alike
//   anything else  proxied too (/healthz, /readyz, /)
//
//   node scripts/serve.mjs --backend http://127.0.0.1:18700 --listen 127.0.0.1:18701
// (or ROSTER_BACKEND and ROSTER_WEB_LISTEN). Cache headers follow what the real server
// should send: immutable for hashed assets, no-cache for index.html.
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const backend = new URL(arg('--backend', process.env.ROSTER_BACKEND ?? 'http://127.0.0.1:18700'));
const [host, port] = arg('--listen', process.env.ROSTER_WEB_LISTEN ?? '127.0.0.1:18701').split(':');
const dist = fileURLToPath(new URL('../dist/', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

function fileIn(root, rel) {
  const path = normalize(join(root, rel));
  if (!path.startsWith(root)) return null;
  try {
    return statSync(path).isFile() ? path : null;
  } catch {
    return null;
  }
}

// The policy the pages are tested under; the real server should send the same.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function sendFile(req, res, path, immutable) {
  const type = TYPES[extname(path)] ?? 'application/octet-stream';
  const headers = {
    'content-type': type,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  };
  if (type.startsWith('text/html')) {
    headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
    headers['referrer-policy'] = 'no-referrer';
  }
  res.writeHead(200, headers);
  if (req.method === 'HEAD') return res.end();
  createReadStream(path).pipe(res);
}

function serveApp(req, res, app, rest, spa) {
  const root = join(dist, app) + sep;
  const rel = decodeURIComponent(rest.split('?')[0]);
  const file = rel && rel !== '/' ? fileIn(root, rel) : null;
  if (file) return sendFile(req, res, file, rel.startsWith('/assets/'));
  if (rel.startsWith('/assets/')) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    return res.end('not found');
  }
  if (!spa && rel !== '/' && rel !== '') {
    res.writeHead(404, { 'content-type': 'text/plain' });
    return res.end('not found');
  }
  return sendFile(req, res, join(root, 'index.html'), false);
}

function proxy(req, res) {
  const upstream = http.request(
    {
      host: backend.hostname,
      port: backend.port || 80,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: backend.host },
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', (e) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`roster backend unreachable: ${e.message}`);
  });
  req.pipe(upstream);
}

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (url === '/console' || url.startsWith('/console?')) {
    res.writeHead(308, { location: '/console/' + url.slice('/console'.length) });
    return res.end();
  }
  if (url === '/graphiql' || url.startsWith('/graphiql?')) {
    res.writeHead(308, { location: '/graphiql/' + url.slice('/graphiql'.length) });
    return res.end();
  }
  if (url.startsWith('/console/')) return serveApp(req, res, 'console', url.slice('/console'.length), true);
  if (url.startsWith('/graphiql/')) return serveApp(req, res, 'graphiql', url.slice('/graphiql'.length), false);
  return proxy(req, res);
});

// Websocket upgrades: a raw TCP pipe to the backend after replaying the request head.
server.on('upgrade', (req, socket, head) => {
  const up = net.connect(Number(backend.port || 80), backend.hostname, () => {
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i];
      lines.push(`${name}: ${name.toLowerCase() === 'host' ? backend.host : req.rawHeaders[i + 1]}`);
    }
    up.write(lines.join('\r\n') + '\r\n\r\n');
    if (head?.length) up.write(head);
    up.pipe(socket);
    socket.pipe(up);
  });
  const close = () => {
    up.destroy();
    socket.destroy();
  };
  up.on('error', close);
  socket.on('error', close);
  up.on('close', () => socket.destroy());
  socket.on('close', () => up.destroy());
});

server.listen(Number(port), host, () => {
  console.log(`roster web on http://${host}:${port} (console /console/, GraphiQL /graphiql/), backend ${backend.origin}`);
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(0));
