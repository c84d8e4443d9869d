'use strict';
// A gRPC-gateway style bank whose movements read the balance,
// await a remote fraud check, then write the value computed from the read:
// concurrent withdrawals all pass the check (overdraft) and concurrent
// movements overwrite each other (lost update).
const { serveGrpcGatewayBank } = require('../lib/grpc-gateway-bank');

// BUG: another request for the account can run during the await.
serveGrpcGatewayBank((accounts, id, delta) => accounts.readCheckAwaitWrite(id, delta));
