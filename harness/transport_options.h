// How racecheck speaks to a target below HTTP semantics: the HTTP version and
// TLS (docs/spec.md, "HTTP/2 and TLS"). The spec's "request"/"tls" objects and
// the CLI's --http2, --cacert, --insecure, --cert and --key fill it; every
// request of a run (setup, bursts, final reads) is sent with it.
#pragma once

#include <string>

namespace racecheck {

struct TlsOptions {
  std::string cacert;     // PEM file of the CA(s) to trust instead of the system's; "" = system store
  bool insecure = false;  // no verification of the server's certificate or host name
  std::string cert;       // client certificate (PEM) for mTLS; "" = none
  std::string key;        // its private key (PEM); "" = in `cert`
};

struct TransportOptions {
  // HTTP/2: negotiated by ALPN on https:// (falling back to HTTP/1.1 when the
  // server offers only that), with prior knowledge (h2c) on http://.
  bool http2 = false;
  TlsOptions tls;
};

// The protocol names a history and a JSON result record.
inline constexpr const char* kProtocolHttp1 = "http/1.1";
inline constexpr const char* kProtocolHttp2 = "h2";

}  // namespace racecheck
