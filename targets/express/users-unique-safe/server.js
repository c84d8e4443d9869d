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
const takenNames = new Set(); // registered or being registered

async function createLogin(/* name */) {
  await latency(); // the identity provider's round trip
  return { login_id: crypto.randomUUID() };
}

const app = createApp();
mountUsers(app, {
  async register(name) {
    if (takenNames.has(name)) return { status: 409, body: { error: 'exists' } };
    takenNames.add(name); // check and reserve: one synchronous step
    try {
      await createLogin(name);
    } catch (err) {
      takenNames.delete(name);
      throw err;
    }
    const user = { id: crypto.randomUUID(), name };
    users.push(user);
    return { status: 201, body: { id: user.id, name } };
  },
  findByName: (name) => users.filter((u) => u.name === name),
  findById: (id) => users.find((u) => u.id === id) ?? null,
});
addErrorHandlers(app);
listen(app);
