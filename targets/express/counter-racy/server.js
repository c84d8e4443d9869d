'use strict';
// A counter incremented as read, await, write: the handler reads the count,
// awaits a remote call (an audit write), then stores what it read plus one.
// Two increments that overlap both read the same count and one is lost
// (lost update): a later read shows fewer increments than were acknowledged.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountCounterAndSet } = require('../lib/counter-set-routes');
const { auditWrite } = require('../lib/remote');

const state = { counter: 0, set: [] };

async function increment() {
  const current = state.counter;
  await auditWrite({ op: 'increment' }); // BUG: `current` may be stale when we resume
  state.counter = current + 1;
  return state.counter;
}

const app = createApp();
mountCounterAndSet(app, { increment, state });
addErrorHandlers(app);
listen(app);
