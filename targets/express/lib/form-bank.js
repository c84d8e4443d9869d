'use strict';
// A bank with a form-encoded API, as older or PHP-style services have:
// requests are application/x-www-form-urlencoded (amount=50&account=...),
// the balance query takes the account in the query string, and numbers come
// back as strings ({"balance": "50"}) or as plain text ("balance=50").
// What happens to the balance is the `move(accounts, id, delta)` the target
// passes in (lib/memory-accounts.js).
const express = require('express');
const { createApp, addErrorHandlers, route, listen } = require('./server');
const { MemoryAccounts } = require('./memory-accounts');

function amountField(form, name) {
  const v = form?.[name];
  return typeof v === 'string' && /^[0-9]{1,12}$/.test(v) ? Number(v) : null;
}

function serveFormBank(move) {
  const accounts = new MemoryAccounts();
  const app = createApp();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  // A form endpoint refuses any other body: a client that sends JSON is wrong.
  const formOnly = (req, res, next) =>
    req.is('application/x-www-form-urlencoded') ? next() : res.status(415).json({ error: 'expected_form' });

  app.post('/accounts', formOnly, form, route(async (req, res) => {
    const balance = amountField(req.body, 'balance');
    if (balance === null) return res.status(400).json({ error: 'bad_request' });
    const account = accounts.create(balance);
    res.status(201).json({ id: String(account.id), balance: String(account.balance) });
  }));

  app.get('/balance', route(async (req, res) => {
    const account = accounts.get(String(req.query.account ?? ''));
    if (!account) return res.status(404).json({ error: 'not_found' });
    res.json({ account: String(account.id), balance: String(account.balance) });
  }));

  for (const [path, sign] of [['/withdraw', -1], ['/deposit', 1]]) {
    app.post(path, formOnly, form, route(async (req, res) => {
      const amount = amountField(req.body, 'amount');
      if (amount === null || amount === 0) return res.status(400).json({ error: 'bad_request' });
      const result = await move(accounts, String(req.body.account ?? ''), sign * amount);
      if (result.status !== 200) return res.status(result.status).json({ error: result.body.error });
      if (sign > 0) return res.type('text/plain').send(`balance=${result.body.balance}\n`);
      res.json({ balance: String(result.body.balance) });
    }));
  }

  addErrorHandlers(app);
  listen(app);
}

module.exports = { serveFormBank };
