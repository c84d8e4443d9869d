'use strict';
// Unique user names with atomic logic: the name is RESERVED in the same
// synchronous step as the uniqueness check, before the identity-provider await;
// a concurrent registration of the same name sees the reservation and gets 409.
// If creating the login fails, the reservation is released.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountUsers } = require('../lib/users-routes');
const { MemoryUsers, exists, createLogin } = require('../lib/memory-users');

const users = new MemoryUsers();
const takenNames = new Set(); // `${team}\n${name}`: registered or being registered

async function register(team, name) {
  const teamName = `${team}\n${name}`;
  if (takenNames.has(teamName)) return exists();
  takenNames.add(teamName); // check and reserve: one synchronous step
  try {
    await createLogin(name);
  } catch (err) {
    takenNames.delete(teamName);
    throw err;
  }
  return users.add(team, name);
}

const app = createApp();
mountUsers(app, users.usersStore(register));
addErrorHandlers(app);
listen(app);
