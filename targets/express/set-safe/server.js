'use strict';
// The same set, with the element added to the current list in one synchronous
// step after the remote call: no add can be lost.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountCounterAndSet } = require('../lib/counter-set-routes');
const { auditWrite } = require('../lib/remote');

const state = { counter: 0, set: [] };

async function add(value) {
  await auditWrite({ op: 'add', value });
  if (!state.set.includes(value)) state.set.push(value); // read and write with no await in between
}

const app = createApp();
mountCounterAndSet(app, { add, state });
addErrorHandlers(app);
listen(app);
