'use strict';
// A bank in gRPC-gateway JSON style (the JSON mapping of a protobuf service):
// int64 fields travel as JSON strings both ways ({"amount": "50"}), bytes
// fields as base64, custom methods are "POST /v1/accounts/{id}:withdraw", and
// errors are {"code", "message", "details"} with a gRPC status code
// (9 FAILED_PRECONDITION for insufficient funds, 5 NOT_FOUND, 3 INVALID_ARGUMENT).
// What happens to the balance is the `move(id, delta)` the target passes in
// (lib/memory-accounts.js); the store keeps plain numbers.
const { createApp, addErrorHandlers, route, listen } = require('./server');
const { MemoryAccounts } = require('./memory-accounts');

const INT64_MAX = 9223372036854775807n;

// An int64 field as the gateway sends it: a JSON string of decimal digits.
function int64Field(body, name) {
  const v = body?.[name];
  if (typeof v !== 'string' || !/^-?[0-9]{1,19}$/.test(v)) return null;
  const n = BigInt(v);
  return n <= INT64_MAX && n >= -INT64_MAX - 1n ? n : null;
}

// A bytes field: standard base64 with padding; null when malformed.
function bytesField(body, name) {
  const v = body?.[name] ?? '';
  if (typeof v !== 'string' || v.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) return null;
  return Buffer.from(v, 'base64');
}

function grpcError(res, httpStatus, code, message) {
  res.status(httpStatus).json({ code, message, details: [] });
}

function serveGrpcGatewayBank(move) {
  const accounts = new MemoryAccounts();
  const app = createApp();
  const view = (account) => ({ id: String(account.id), balance: String(account.balance) });

  app.post('/v1/accounts', route(async (req, res) => {
    const balance = int64Field(req.body, 'balance');
    if (balance === null || balance < 0n) return grpcError(res, 400, 3, 'balance must be a non-negative int64 string');
    res.json(view(accounts.create(Number(balance))));
  }));

  app.get('/v1/accounts/:id', route(async (req, res) => {
    const account = accounts.get(req.params.id);
    if (!account) return grpcError(res, 404, 5, 'account not found');
    res.json(view(account));
  }));

  // POST /v1/accounts/{id}:withdraw and :deposit (custom methods).
  app.post(/^\/v1\/accounts\/([^/:]+):(withdraw|deposit)$/, route(async (req, res) => {
    const [id, method] = [req.params[0], req.params[1]];
    const amount = int64Field(req.body, 'amount');
    if (amount === null || amount <= 0n) return grpcError(res, 400, 3, 'amount must be a positive int64 string');
    const memo = bytesField(req.body, 'memo');
    if (memo === null) return grpcError(res, 400, 3, 'memo must be base64');
    const delta = method === 'withdraw' ? -Number(amount) : Number(amount);
    const result = await move(accounts, id, delta);
    if (result.status === 404) return grpcError(res, 404, 5, 'account not found');
    if (result.status === 409) return grpcError(res, 400, 9, 'insufficient funds');
    // The memo is echoed as the service stored it: bytes, re-encoded.
    res.json({ balance: String(result.body.balance), amount: String(amount), memo: memo.toString('base64') });
  }));

  addErrorHandlers(app);
  listen(app);
}

module.exports = { serveGrpcGatewayBank };
