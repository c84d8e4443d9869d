'use strict';
// Seed §20 fixed with atomic logic (§12): the name is RESERVED in the same
// synchronous step as the uniqueness check, before the identity-provider await;
// a concurrent registration of the same name sees the reservation and gets 409.
// If creating the login fails, the reservation is released.
const crypto = require('node:crypto');
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountUsers } = require('../lib/users-routes');
const { latency } = require('../lib/remote');

const users = [];
const takenNames = new Set(); // `${team}\n${name}`: registered or being registered

async function createLogin(/* name */) {
  await latency(); // the identity provider's round trip
  return { login_id: crypto.randomUUID() };
}

const app = createApp();
mountUsers(app, {
  async register(team, name) {
    const teamName = `${team}\n${name}`;
    if (takenNames.has(teamName)) return { status: 409, body: { error: 'exists' } };
    takenNames.add(teamName); // check and reserve: one synchronous step
    try {
      await createLogin(name);
    } catch (err) {
      takenNames.delete(teamName);
      throw err;
    }
    const user = { id: crypto.randomUUID(), team, name };
    users.push(user);
    return { status: 201, body: { id: user.id, name, team } };
  },
  findByName: (team, name) => users.filter((u) => u.team === team && u.name === name),
  findById: (id) => users.find((u) => u.id === id) ?? null,
});
addErrorHandlers(app);
listen(app);
