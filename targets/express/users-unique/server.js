'use strict';
// "50 users creating accounts": registered users in a global array
// (`let users = []`). Registration checks that the name is free, awaits the
// identity provider that creates the login, then pushes the user. Two sign-ups
// for the same name both pass the check during each other's await: two
// accounts with one "unique" name.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountUsers } = require('../lib/users-routes');
const { MemoryUsers, exists, createLogin } = require('../lib/memory-users');

const users = new MemoryUsers();

async function register(team, name) {
  if (users.findByName(team, name).length) return exists();
  await createLogin(name); // BUG: another registration of `name` can pass the check meanwhile
  return users.add(team, name);
}

const app = createApp();
mountUsers(app, users.usersStore(register));
addErrorHandlers(app);
listen(app);
