'use strict';
// A replicated key-value store of two processes, started by launch.sh as two
// instances of one server.js: the first has no peer and is the leader; the
// second is started with --peer LEADER_URL, is a follower, and joins the
// leader before it says it is listening.
//   leader:   PUT /kv/:key {"value": v} stores v, answers, and replicates the
//             write to its followers asynchronously, after a small random
//             delay (as real asynchronous replication does);
//   follower: POST /replicate applies what the leader sends, newest first
//             (a later write is never overwritten by an earlier one that
//             arrives late);
//   both:     GET /kv/:key -> {"value": v} (null when never written);
//   leader:   POST /reset clears every store and starts a new epoch, so a
//             replication still in flight from an earlier trial is dropped.
const { createApp, addErrorHandlers, listen, route, portFromArgs } = require('./server');
const { latency } = require('./remote');

function peerFromArgs(argv = process.argv.slice(2)) {
  const at = argv.indexOf('--peer');
  return at >= 0 ? argv[at + 1] : null;
}

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${url}: status ${res.status}`);
}

function mountReads(app, store) {
  app.get('/kv/:key', (req, res) => {
    const entry = store.get(req.params.key);
    res.json({ value: entry ? entry.value : null });
  });
}

function startLeader() {
  const store = new Map(); // key -> {value, version}
  const followers = [];
  let epoch = 0;
  let version = 0;
  const app = createApp();
  mountReads(app, store);
  app.post('/join', (req, res) => {
    followers.push(req.body.url);
    res.status(204).end();
  });
  app.put('/kv/:key', (req, res) => {
    const value = req.body?.value;
    if (value === undefined) return res.status(400).json({ error: 'bad_request', detail: 'missing value' });
    const entry = { value, version: ++version };
    store.set(req.params.key, entry);
    res.json({ value });
    const message = { epoch, key: req.params.key, ...entry };
    for (const follower of followers) {
      latency(1, 10)
        .then(() => post(`${follower}/replicate`, message))
        .catch((err) => console.error('replication failed:', err.message));
    }
  });
  app.post('/reset', route(async (req, res) => {
    store.clear();
    epoch += 1;
    await Promise.all(followers.map((follower) => post(`${follower}/reset`, { epoch })));
    res.status(204).end();
  }));
  addErrorHandlers(app);
  listen(app);
}

function startFollower(leader) {
  const store = new Map();
  let epoch = 0;
  const app = createApp();
  mountReads(app, store);
  app.post('/replicate', (req, res) => {
    const { epoch: sent, key, value, version } = req.body ?? {};
    const current = store.get(key);
    if (sent === epoch && (!current || current.version < version)) store.set(key, { value, version });
    res.status(204).end();
  });
  app.post('/reset', (req, res) => {
    store.clear();
    epoch = req.body.epoch;
    res.status(204).end();
  });
  addErrorHandlers(app);
  // Joins the leader first: launch.sh hands out the URLs once this line is out.
  const server = app.listen(portFromArgs(), '127.0.0.1', async () => {
    const url = `http://127.0.0.1:${server.address().port}`;
    try {
      await post(`${leader}/join`, { url });
    } catch (err) {
      console.error(`joining the leader at ${leader} failed:`, err.message);
      process.exit(1);
    }
    process.stdout.write(`listening on ${url}\n`);
  });
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
}

function startReplicatedKv() {
  const leader = peerFromArgs();
  if (leader) startFollower(leader);
  else startLeader();
}

module.exports = { startReplicatedKv };
