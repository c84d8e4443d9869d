'use strict';
// A gRPC-gateway style bank whose movements await the fraud check
// first, then check and write the balance in one synchronous step: nothing
// interleaves between them on Node's single thread, so it is safe.
const { serveGrpcGatewayBank } = require('../lib/grpc-gateway-bank');

serveGrpcGatewayBank((accounts, id, delta) => accounts.checkThenSet(id, delta));
