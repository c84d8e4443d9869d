// One blocking HTTP exchange (libcurl easy), for the sequential parts of a trial:
// setup/reset requests and the final read. Bursts go through the executor.
#pragma once

#include <cstddef>

#include "harness/protocol.h"
#include "harness/transport_options.h"

namespace racecheck {

// Never throws for transport problems: they come back in transport_error (the
// history's reason) and transport_detail (for messages).
// Throws LocalError (harness/local_error.h) when the request failed on this
// machine (out of descriptors or memory, a host name that does not resolve).
// `transport`: HTTP version and TLS, as for the executor's requests.
HttpResponse http_call(const HttpRequest& request, int timeout_ms, std::size_t max_body_bytes,
                       const TransportOptions& transport = {});

}  // namespace racecheck
