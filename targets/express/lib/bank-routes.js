'use strict';
// The HTTP face of every bank-like target (the same API as the C++ demo bank,
// so their specs look alike). Validation and status codes live here; what
// happens to the balance — the part each target gets right or wrong — lives
// in the `ops` object the target passes in:
//
//   ops.create(balance)              -> {id, balance}
//   ops.get(id)                      -> {id, balance} | null
//   ops.withdraw(id, amount, ctx)    -> {status, body}   (see results below)
//   ops.deposit(id, amount, ctx)     -> {status, body}
//
// ctx = {op: 'withdraw'|'deposit', amount, key} where key is the
// Idempotency-Key header or null; targets without idempotency ignore it.
const crypto = require('node:crypto');
const { createApp, addErrorHandlers, route, listen } = require('./server');
const { positiveInt, nonNegativeInt, badRequest } = require('./input');

const MAX_KEY_LENGTH = 255;

const results = {
  applied: (account, amount) => ({
    status: 200,
    body: { id: String(account.id), balance: Number(account.balance), amount, request_id: crypto.randomUUID() },
  }),
  insufficientFunds: (balance) => ({ status: 409, body: { error: 'insufficient_funds', balance: Number(balance) } }),
  notFound: () => ({ status: 404, body: { error: 'not_found' } }),
  busy: () => ({ status: 429, body: { error: 'busy' } }),
  keyInFlight: () => ({ status: 409, body: { error: 'key_in_flight' } }),
  keyReused: () => ({ status: 422, body: { error: 'key_reused' } }),
};

// parseAmount(body) -> the amount to move, or null for a 400: by default a
// positive safe integer (lib/input.js); the hostile-input targets pass a
// careless one.
function mountBank(app, ops, parseAmount = (body) => positiveInt(body, 'amount')) {
  app.post('/accounts', route(async (req, res) => {
    const balance = nonNegativeInt(req.body, 'balance');
    if (balance === null) return badRequest(res, '/balance must be a non-negative integer');
    const account = await ops.create(balance);
    res.status(201).json({ id: String(account.id), balance: Number(account.balance) });
  }));

  app.get('/accounts/:id', route(async (req, res) => {
    const account = await ops.get(req.params.id);
    if (!account) return res.status(404).json({ error: 'not_found' });
    res.json({ id: String(account.id), balance: Number(account.balance) });
  }));

  for (const op of ['withdraw', 'deposit']) {
    app.post(`/accounts/:id/${op}`, route(async (req, res) => {
      const amount = parseAmount(req.body);
      if (amount === null) return badRequest(res, '/amount must be a positive integer');
      const key = req.get('Idempotency-Key') ?? null;
      if (key !== null && (key.length === 0 || key.length > MAX_KEY_LENGTH)) {
        return badRequest(res, `Idempotency-Key must be 1..${MAX_KEY_LENGTH} characters`);
      }
      const result = await ops[op](req.params.id, amount, { op, amount, key });
      res.status(result.status).json(result.body);
    }));
  }
}

// The whole server of a bank target: `ops` behind the bank API, listening on the
// port from the command line; listenOptions as for listen() (a cleanup).
function serveBank(ops, listenOptions) {
  const app = createApp();
  mountBank(app, ops);
  addErrorHandlers(app);
  return listen(app, listenOptions);
}

module.exports = { mountBank, serveBank, results };
