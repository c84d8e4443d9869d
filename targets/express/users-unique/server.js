'use strict';
// Seed §20, "50 users creating accounts": registered users in a global array
// (`let users = []`). Registration checks that the name is free, awaits the
// identity provider that creates the login, then pushes the user. Two sign-ups
// for the same name both pass the check during each other's await: two
// accounts with one "unique" name.
const crypto = require('node:crypto');
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountUsers } = require('../lib/users-routes');
const { latency } = require('../lib/remote');

const users = [];

async function createLogin(/* name */) {
  await latency(); // the identity provider's round trip
  return { login_id: crypto.randomUUID() };
}

const app = createApp();
mountUsers(app, {
  async register(team, name) {
    if (users.some((u) => u.team === team && u.name === name)) return { status: 409, body: { error: 'exists' } };
    await createLogin(name); // BUG: another registration of `name` can pass the check meanwhile
    const user = { id: crypto.randomUUID(), team, name };
    users.push(user);
    return { status: 201, body: { id: user.id, name, team } };
  },
  findByName: (team, name) => users.filter((u) => u.team === team && u.name === name),
  findById: (id) => users.find((u) => u.id === id) ?? null,
});

addErrorHandlers(app);
listen(app);
