'use strict';
// The HTTP face of the user-registration targets (seed §20, "50 users creating
// accounts"): user names are unique.
//   POST /users {"name": s}    -> 201 {"id","name"} | 409 {"error":"exists"} | 400
//   GET  /users?name=s         -> 200 {"name","exists","count"}
//   GET  /users/{id}           -> 200 {"id","name"} | 404
// `store.register(name)` returns {status, body}; store.findByName(name) an array.
const { route } = require('./server');
const { badRequest } = require('./input');

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

function mountUsers(app, store) {
  app.post('/users', route(async (req, res) => {
    const name = req.body?.name;
    if (typeof name !== 'string' || !NAME.test(name)) {
      return badRequest(res, '/name must be 1..64 characters of A-Z a-z 0-9 . _ -');
    }
    const result = await store.register(name);
    res.status(result.status).json(result.body);
  }));
  app.get('/users', route(async (req, res) => {
    const name = req.query.name;
    if (typeof name !== 'string' || !NAME.test(name)) return badRequest(res, 'query parameter name is required');
    const found = await store.findByName(name);
    res.json({ name, exists: found.length > 0, count: found.length });
  }));
  app.get('/users/:id', route(async (req, res) => {
    const user = await store.findById(req.params.id);
    if (!user) return res.status(404).json({ error: 'not_found' });
    res.json({ id: user.id, name: user.name });
  }));
}

module.exports = { mountUsers };
