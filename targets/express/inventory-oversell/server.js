'use strict';
// Inventory updates without a queue: a reservation checks the
// available stock, awaits the warehouse service (which confirms the pick
// location), then decrements. Concurrent checkouts of the last units all pass
// the check during each other's await: oversold stock, negative availability.
const { serveInventory } = require('../lib/inventory-routes');
const { MemoryItems, itemResults } = require('../lib/memory-items');
const { latency } = require('../lib/remote');

const items = new MemoryItems();

async function reserve(id, qty) {
  const item = items.get(id);
  if (!item) return itemResults.notFound();
  if (item.stock < qty) return itemResults.outOfStock(item);
  await latency(); // the warehouse service. BUG: the stock checked above may be gone now
  return items.take(item, qty);
}

serveInventory(items.inventoryStore(reserve));
