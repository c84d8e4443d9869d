'use strict';
// A versioned key-value service with HTTP conditional requests, the shape of
// etcd's or Consul's HTTP APIs and of object stores: every key holds a JSON
// value and a version, GET returns the version as an ETag, and PUT with
// If-Match writes only if the version is still the one the client read (412
// Precondition Failed otherwise). A client implements read-modify-write (a
// withdrawal) on top of it with optimistic concurrency: GET, compute, PUT
// If-Match, retry on 412.
//
//   POST /kv             {"value": V} -> 201 {"key": K, "value": V}, ETag
//   GET  /kv/:k          -> 200 {"value": V}, ETag: "<version>"
//   PUT  /kv/:k          {"value": V}, If-Match: "<version>" -> 200 {"value": V}, new ETag
//                        412 {"error": "precondition_failed"} on a version mismatch
//
// `writeIfMatch(entry, expected, value)` -> the version written, or null on a
// mismatch: what differs between the variants.
const { createApp, addErrorHandlers, listen, route } = require('./server');

function etagOf(entry) {
  return `"${entry.version}"`;
}

function serveVersionedKv(writeIfMatch) {
  const store = new Map();
  let nextKey = 1;
  const app = createApp();
  app.post('/kv', (req, res) => {
    const key = `k${nextKey++}`;
    const entry = { value: req.body?.value ?? null, version: 1 };
    store.set(key, entry);
    res.status(201).set('ETag', etagOf(entry)).json({ key, value: entry.value });
  });
  app.get('/kv/:k', (req, res) => {
    const entry = store.get(req.params.k);
    if (!entry) return res.status(404).json({ error: 'not_found' });
    return res.set('ETag', etagOf(entry)).json({ value: entry.value });
  });
  app.put('/kv/:k', route(async (req, res) => {
    const entry = store.get(req.params.k);
    if (!entry) return res.status(404).json({ error: 'not_found' });
    if (!req.body || !('value' in req.body)) return res.status(400).json({ error: 'bad_request' });
    const expected = req.get('If-Match');
    if (expected === undefined) return res.status(428).json({ error: 'precondition_required' });
    const version = await writeIfMatch(entry, expected, req.body.value);
    if (version === null) return res.status(412).set('ETag', etagOf(entry)).json({ error: 'precondition_failed' });
    // The value and version this request wrote (a later writer may have replaced them by now).
    return res.set('ETag', `"${version}"`).json({ value: req.body.value });
  }));
  addErrorHandlers(app);
  listen(app);
}

module.exports = { serveVersionedKv, etagOf };
