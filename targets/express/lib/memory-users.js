'use strict';
// The in-memory user list of the user-registration targets (`let users = []`) and the identity-provider call registration awaits. How a
// registration checks that a name is free around that await is what each
// target gets right or wrong, so it stays there.
const crypto = require('node:crypto');
const { latency } = require('./remote');

class MemoryUsers {
  constructor() {
    this.list = []; // {id, team, name}
  }

  add(team, name) {
    const user = { id: crypto.randomUUID(), team, name };
    this.list.push(user);
    return { status: 201, body: { id: user.id, name, team } };
  }

  findByName(team, name) {
    return this.list.filter((u) => u.team === team && u.name === name);
  }

  findById(id) {
    return this.list.find((u) => u.id === id) ?? null;
  }

  // The store lib/users-routes.js expects, with the target's register().
  usersStore(register) {
    return {
      register,
      findByName: (team, name) => this.findByName(team, name),
      findById: (id) => this.findById(id),
    };
  }
}

const exists = () => ({ status: 409, body: { error: 'exists' } });

async function createLogin(/* name */) {
  await latency(); // the identity provider's round trip
  return { login_id: crypto.randomUUID() };
}

module.exports = { MemoryUsers, exists, createLogin };
