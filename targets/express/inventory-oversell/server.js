'use strict';
// Seed §23's "inventory updates" without the queue: a reservation checks the
// available stock, awaits the warehouse service (which confirms the pick
// location), then decrements. Concurrent checkouts of the last units all pass
// the check during each other's await: oversold stock, negative availability.
const crypto = require('node:crypto');
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountInventory } = require('../lib/inventory-routes');
const { latency } = require('../lib/remote');

const items = new Map(); // id -> {id, stock, reserved}
const notFound = { status: 404, body: { error: 'not_found' } };

const app = createApp();
mountInventory(app, {
  create(stock) {
    const item = { id: crypto.randomUUID(), stock, reserved: 0 };
    items.set(item.id, item);
    return item;
  },
  get: (id) => items.get(id) ?? null,
  async reserve(id, qty) {
    const item = items.get(id);
    if (!item) return notFound;
    if (item.stock < qty) return { status: 409, body: { error: 'out_of_stock', stock: item.stock } };
    await latency(); // the warehouse service. BUG: the stock checked above may be gone now
    item.stock -= qty;
    item.reserved += qty;
    return { status: 200, body: { id, stock: item.stock, qty, reservation_id: crypto.randomUUID() } };
  },
  async release(id, qty) {
    const item = items.get(id);
    if (!item) return notFound;
    if (item.reserved < qty) return { status: 409, body: { error: 'nothing_reserved', reserved: item.reserved } };
    item.reserved -= qty;
    item.stock += qty;
    return { status: 200, body: { id, stock: item.stock, qty } };
  },
});
addErrorHandlers(app);
listen(app);
