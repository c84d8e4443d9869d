'use strict';
// The HTTP face of the user-registration targets ("50 users creating
// accounts"): user names are unique within a team (workspace); /users is the
// default team.
//   POST /teams                          -> 201 {"id"}
//   POST /users {"name": s}              -> 201 {"id","name","team"} | 409 {"error":"exists"} | 400
//   GET  /users?name=s                   -> 200 {"name","exists","count"}
//   GET  /users/{id}                     -> 200 {"id","name","team"} | 404
//   POST /teams/{team}/users {"name": s} -> as POST /users, in that team (404: unknown team)
//   GET  /teams/{team}/users?name=s      -> as GET /users?name=s, in that team
// store.register(team, name) returns {status, body}; store.findByName(team, name)
// an array of users; store.findById(id) a user or null.
const crypto = require('node:crypto');
const { route } = require('./server');
const { badRequest } = require('./input');

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const DEFAULT_TEAM = 'default';

function mountUsers(app, store) {
  const teams = new Set([DEFAULT_TEAM]);
  const teamOf = (req, res) => {
    const team = req.params.team ?? DEFAULT_TEAM;
    if (!teams.has(team)) {
      res.status(404).json({ error: 'not_found' });
      return null;
    }
    return team;
  };

  app.post('/teams', (req, res) => {
    const id = crypto.randomUUID();
    teams.add(id);
    res.status(201).json({ id });
  });

  const register = route(async (req, res) => {
    const team = teamOf(req, res);
    if (team === null) return undefined;
    const name = req.body?.name;
    if (typeof name !== 'string' || !NAME.test(name)) {
      return badRequest(res, '/name must be 1..64 characters of A-Z a-z 0-9 . _ -');
    }
    const result = await store.register(team, name);
    return res.status(result.status).json(result.body);
  });
  const lookup = route(async (req, res) => {
    const team = teamOf(req, res);
    if (team === null) return undefined;
    const name = req.query.name;
    if (typeof name !== 'string' || !NAME.test(name)) return badRequest(res, 'query parameter name is required');
    const found = await store.findByName(team, name);
    return res.json({ name, exists: found.length > 0, count: found.length });
  });
  app.post('/users', register);
  app.get('/users', lookup);
  app.post('/teams/:team/users', register);
  app.get('/teams/:team/users', lookup);
  app.get('/users/:id', route(async (req, res) => {
    const user = await store.findById(req.params.id);
    if (!user) return res.status(404).json({ error: 'not_found' });
    return res.json({ id: user.id, name: user.name, team: user.team });
  }));
}

module.exports = { mountUsers };
