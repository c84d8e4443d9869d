'use strict';
// Boilerplate every target shares, so that each target's server.js shows only
// its concurrency pattern: the port from --port N or PORT (0 = a free port), the
// one "listening on" line the launcher waits for, JSON errors instead of HTML
// pages, and a prompt exit on SIGTERM.
const express = require('express');

function portFromArgs(argv = process.argv.slice(2), env = process.env) {
  const at = argv.indexOf('--port');
  const raw = at >= 0 ? argv[at + 1] : (env.PORT ?? '0');
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`bad port '${raw}': expected an integer 0..65535 from --port N or PORT`);
    process.exit(2);
  }
  return port;
}

function createApp() {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '16kb' }));
  return app;
}

// Malformed JSON, a thrown handler or a rejected promise become JSON answers.
function addErrorHandlers(app) {
  app.use((req, res) => res.status(404).json({ error: 'not_found' }));
  // eslint-disable-next-line no-unused-vars
  app.use((err, req, res, next) => {
    if (err.type === 'entity.parse.failed' || err.type === 'entity.too.large') {
      return res.status(400).json({ error: 'bad_request', detail: 'body must be a JSON object' });
    }
    console.error(`error on ${req.method} ${req.originalUrl}:`, err);
    if (!res.headersSent) res.status(500).json({ error: 'internal', detail: String(err.message || err) });
  });
}

// Wraps an async handler so that a rejection reaches the error handler
// (Express 4 does not do this by itself).
function route(handler) {
  return (req, res, next) => Promise.resolve(handler(req, res, next)).catch(next);
}

// Listens on 127.0.0.1, prints exactly one "listening on" line, and exits on
// SIGTERM/SIGINT after running the optional cleanup (closing a DB pool).
function listen(app, { cleanup } = {}) {
  const server = app.listen(portFromArgs(), '127.0.0.1', () => {
    process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
  });
  server.keepAliveTimeout = 5000;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeAllConnections?.();
    try { if (cleanup) await cleanup(); } catch (err) { console.error('cleanup failed:', err); }
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}

// Runs an async start-up (opening a database pool, then listening); a failure
// ends the process with exit 1 and one line saying why.
function runMain(main) {
  main().catch((err) => { console.error('start-up failed:', err.message); process.exit(1); });
}

module.exports = { createApp, addErrorHandlers, route, listen, portFromArgs, runMain };
