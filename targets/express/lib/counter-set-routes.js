'use strict';
// Routes of the counter and set targets: a counter or a set held in memory,
// reset by POST /reset. A target passes how it increments (counter routes) or
// how it adds (set routes), so its server.js shows only that.
//   POST /reset                 -> 204
//   POST /counter/increment     -> 200 {"value": n}   (after the increment)
//   GET  /counter               -> 200 {"value": n}
//   POST /set/add {"value": v}  -> 200 {}
//   GET  /set                   -> 200 {"value": [v, ...]}
const { route } = require('./server');

function mountCounterAndSet(app, { increment, add, state }) {
  app.post('/reset', (req, res) => {
    state.counter = 0;
    state.set = [];
    res.status(204).end();
  });
  if (increment) {
    app.post('/counter/increment', route(async (req, res) => {
      res.json({ value: await increment() });
    }));
    app.get('/counter', (req, res) => res.json({ value: state.counter }));
  }
  if (!add) return;
  app.post('/set/add', route(async (req, res) => {
    const value = req.body?.value;
    if (!Number.isInteger(value)) return res.status(400).json({ error: 'bad_request', detail: 'value must be an integer' });
    await add(value);
    res.json({});
  }));
  app.get('/set', (req, res) => res.json({ value: state.set }));
}

module.exports = { mountCounterAndSet };
