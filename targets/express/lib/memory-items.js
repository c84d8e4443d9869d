'use strict';
// The in-memory item store of the inventory targets: items with an available
// `stock` and a `reserved` count. Creating, reading and releasing are the same
// in every target; how a reservation checks and takes stock around the awaited
// warehouse call is what each target gets right or wrong, so it stays there.
const crypto = require('node:crypto');

const itemResults = {
  notFound: () => ({ status: 404, body: { error: 'not_found' } }),
  outOfStock: (item) => ({ status: 409, body: { error: 'out_of_stock', stock: item.stock } }),
  reserved: (item, qty) => ({
    status: 200,
    body: { id: item.id, stock: item.stock, qty, reservation_id: crypto.randomUUID() },
  }),
};

class MemoryItems {
  constructor() {
    this.byId = new Map(); // id -> {id, stock, reserved}
  }

  create(stock) {
    const item = { id: crypto.randomUUID(), stock, reserved: 0 };
    this.byId.set(item.id, item);
    return item;
  }

  get(id) {
    return this.byId.get(id) ?? null;
  }

  // Moves `qty` of the item's stock to reserved, unchecked: whether the stock is
  // still there is the caller's reserve() to get right.
  take(item, qty) {
    item.stock -= qty;
    item.reserved += qty;
    return itemResults.reserved(item, qty);
  }

  // Synchronous: no await between the check and the update.
  release(id, qty) {
    const item = this.byId.get(id);
    if (!item) return itemResults.notFound();
    if (item.reserved < qty) return { status: 409, body: { error: 'nothing_reserved', reserved: item.reserved } };
    item.reserved -= qty;
    item.stock += qty;
    return { status: 200, body: { id, stock: item.stock, qty } };
  }

  // The store lib/inventory-routes.js expects, with the target's reserve().
  inventoryStore(reserve) {
    return {
      create: (stock) => this.create(stock),
      get: (id) => this.get(id),
      reserve,
      release: (id, qty) => this.release(id, qty),
    };
  }
}

module.exports = { MemoryItems, itemResults };
