'use strict';
// Idempotency keys through a published middleware: express-idempotency 1.0.x (Ville de
// Montréal, "inspired from the Stripe idempotency implementation"), set up as
// its README shows — `app.post('*', idempotency())` after the body parser, its
// default in-memory data adapter, and each handler returning early when
// `getSharedIdempotencyService().isHit(req)` (here one middleware does that
// for every POST route). The balance logic is mem-sync's safe check-and-set.
//
// What the middleware does, read from its code (dist/services/idempotencyService.js):
// - the key is claimed (dataAdapter.create) before next(), and the in-memory
//   adapter's find-then-create resolves in microtasks only, so no other
//   request runs in between: a duplicate in flight finds the claim and gets
//   409 "A previous request is still in progress for this key." — in one
//   process, a key never executes twice;
// - the response is stored only if its status is 2xx (the default
//   SuccessfulResponseValidator); any other response deletes the key, so a
//   retry of a refused withdrawal executes again: the refusal is not replayed;
// - a key reused with another URL, method, query or body is refused with 417
//   Expectation Failed, where the IETF Idempotency-Key draft asks for 422;
// - keys are global to the service (not scoped to the account or caller).
const { idempotency, getSharedIdempotencyService } = require('express-idempotency');
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank } = require('../lib/bank-routes');
const { MemoryAccounts } = require('../lib/memory-accounts');

const accounts = new MemoryAccounts();

const app = createApp();
app.post('*', idempotency());
app.post('*', (req, res, next) => {
  if (getSharedIdempotencyService().isHit(req)) return; // the middleware has answered
  next();
});
mountBank(app, accounts.bankOps((id, delta) => accounts.checkThenSet(id, delta)));
// The middleware refuses a duplicate by setting the status (409, 417) and
// passing an Error to next(): answer with that status and the error's message.
// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => {
  if (res.statusCode >= 400 && res.statusCode <= 499 && !res.headersSent) {
    return res.json({ error: err.message });
  }
  return next(err);
});
addErrorHandlers(app);
listen(app);
