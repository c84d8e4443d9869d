'use strict';
// The inventory with atomic logic: the warehouse call is awaited
// FIRST, and the availability check and the decrement then happen in one
// synchronous step, so no other reservation can run between them.
const { serveInventory } = require('../lib/inventory-routes');
const { MemoryItems, itemResults } = require('../lib/memory-items');
const { latency } = require('../lib/remote');

const items = new MemoryItems();

async function reserve(id, qty) {
  if (!items.get(id)) return itemResults.notFound();
  await latency(); // the warehouse service
  const item = items.get(id);
  if (item.stock < qty) return itemResults.outOfStock(item);
  return items.take(item, qty); // same synchronous step as the check
}

serveInventory(items.inventoryStore(reserve));
