'use strict';
// The same counter, incremented in one synchronous step after the remote
// call: nothing can run between reading the count and writing it back.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountCounterAndSet } = require('../lib/counter-set-routes');
const { auditWrite } = require('../lib/remote');

const state = { counter: 0, set: [] };

async function increment() {
  await auditWrite({ op: 'increment' });
  state.counter += 1; // read and write with no await in between
  return state.counter;
}

const app = createApp();
mountCounterAndSet(app, { increment, state });
addErrorHandlers(app);
listen(app);
