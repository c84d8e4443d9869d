'use strict';
// A bank whose money has cents: amounts travel as decimal strings with up to
// two places ({"amount": "10.10"}), balances come back as JSON. How the
// service holds money is the `money` the target passes in:
//   parse(text) -> held value, add(a, b), sub(a, b), lessThan(a, b), toJson(v).
// The fraud check is awaited first, then check and write happen in one
// synchronous step: no race, only the arithmetic differs between targets.
const { createApp, addErrorHandlers, route, listen } = require('./server');
const { fraudCheck } = require('./remote');

const DECIMAL = /^[0-9]{1,9}(\.[0-9]{1,2})?$/;

function serveDecimalBank(money) {
  const accounts = new Map();
  let nextId = 1;
  const app = createApp();
  const amountOf = (body, name) => {
    const v = body?.[name];
    return typeof v === 'string' && DECIMAL.test(v) ? money.parse(v) : null;
  };

  app.post('/accounts', route(async (req, res) => {
    const balance = amountOf(req.body, 'balance');
    if (balance === null) return res.status(400).json({ error: 'bad_request' });
    const id = String(nextId++);
    accounts.set(id, balance);
    res.status(201).json({ id, balance: money.toJson(balance) });
  }));

  app.get('/accounts/:id', route(async (req, res) => {
    if (!accounts.has(req.params.id)) return res.status(404).json({ error: 'not_found' });
    res.json({ balance: money.toJson(accounts.get(req.params.id)) });
  }));

  for (const op of ['withdraw', 'deposit']) {
    app.post(`/accounts/:id/${op}`, route(async (req, res) => {
      const amount = amountOf(req.body, 'amount');
      if (amount === null || money.lessThan(amount, money.parse('0.01'))) return res.status(400).json({ error: 'bad_request' });
      const id = req.params.id;
      if (!accounts.has(id)) return res.status(404).json({ error: 'not_found' });
      await fraudCheck(id, amount);
      const balance = accounts.get(id);
      if (op === 'withdraw' && money.lessThan(balance, amount)) return res.status(409).json({ error: 'insufficient_funds' });
      const next = op === 'withdraw' ? money.sub(balance, amount) : money.add(balance, amount);
      accounts.set(id, next);
      res.json({ balance: money.toJson(next) });
    }));
  }

  addErrorHandlers(app);
  listen(app);
}

module.exports = { serveDecimalBank };
