'use strict';
// The inventory with atomic logic (seed §12): the warehouse call is awaited
// FIRST, and the availability check and the decrement then happen in one
// synchronous step, so no other reservation can run between them.
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
    if (!items.has(id)) return notFound;
    await latency(); // the warehouse service
    const item = items.get(id);
    if (item.stock < qty) return { status: 409, body: { error: 'out_of_stock', stock: item.stock } };
    item.stock -= qty; // same synchronous step as the check
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
