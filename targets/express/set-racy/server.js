'use strict';
// A set stored as a list and added to as read, await, write back: the handler
// copies the list, awaits a remote call, then stores the copy with the new
// element. Two adds that overlap both copy the same list and the later write
// drops the other's element (lost add).
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountCounterAndSet } = require('../lib/counter-set-routes');
const { auditWrite } = require('../lib/remote');

const state = { counter: 0, set: [] };

async function add(value) {
  const list = [...state.set];
  await auditWrite({ op: 'add', value }); // BUG: `list` may be stale when we resume
  if (!list.includes(value)) list.push(value);
  state.set = list;
}

const app = createApp();
mountCounterAndSet(app, { add, state });
addErrorHandlers(app);
listen(app);
