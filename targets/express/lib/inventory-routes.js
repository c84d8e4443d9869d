'use strict';
// The HTTP face of the inventory targets ("inventory updates"):
//   POST /items {"stock": n}              -> 201 {"id","stock"}
//   GET  /items/{id}                      -> 200 {"id","stock"}          (stock = available)
//   POST /items/{id}/reserve {"qty": n}   -> 200 {"id","stock","qty","reservation_id"}
//                                            | 409 {"error":"out_of_stock","stock":n}
//   POST /items/{id}/release {"qty": n}   -> 200 {"id","stock","qty"}
//                                            | 409 {"error":"nothing_reserved","reserved":n}
// 400 on bad input, 404 on an unknown item. store.reserve/release return {status, body}.
const { createApp, addErrorHandlers, route, listen } = require('./server');
const { positiveInt, nonNegativeInt, badRequest } = require('./input');

function mountInventory(app, store) {
  app.post('/items', route(async (req, res) => {
    const stock = nonNegativeInt(req.body, 'stock');
    if (stock === null) return badRequest(res, '/stock must be a non-negative integer');
    const item = await store.create(stock);
    res.status(201).json({ id: item.id, stock: item.stock });
  }));
  app.get('/items/:id', route(async (req, res) => {
    const item = await store.get(req.params.id);
    if (!item) return res.status(404).json({ error: 'not_found' });
    res.json({ id: item.id, stock: item.stock });
  }));
  for (const op of ['reserve', 'release']) {
    app.post(`/items/:id/${op}`, route(async (req, res) => {
      const qty = positiveInt(req.body, 'qty');
      if (qty === null) return badRequest(res, '/qty must be a positive integer');
      const result = await store[op](req.params.id, qty);
      res.status(result.status).json(result.body);
    }));
  }
}

// The whole server of an inventory target: `store` behind the inventory API,
// listening on the port from the command line.
function serveInventory(store) {
  const app = createApp();
  mountInventory(app, store);
  addErrorHandlers(app);
  return listen(app);
}

module.exports = { mountInventory, serveInventory };
