// One HTTP request on a libcurl easy handle, configured the same way for the
// executor's concurrent transfers and http_call's blocking ones, and the one
// translation of a failed transfer (CURLcode) into a reason. The reasons are
// the `error` labels of info events in a history (docs/history.md):
// "timeout", "connection-refused", "connection-reset", "empty-reply",
// "partial-response", "not-http", "cannot-resolve-host", "tls-error",
// "http2-error", "transport-error".
#pragma once

#include <cstddef>
#include <string>

#include <curl/curl.h>

#include "harness/protocol.h"
#include "harness/transport_options.h"

namespace racecheck {

// What one transfer fills in; the callbacks and options point into it, so it
// stays at one address while its handle uses it.
struct CurlExchange {
  CurlExchange() = default;
  ~CurlExchange();
  CurlExchange(const CurlExchange&) = delete;
  CurlExchange& operator=(const CurlExchange&) = delete;
  // Frees the header list (the handle must no longer use it).
  void release_headers();

  HttpResponse response;       // the final response's headers (at most 1000) and body (capped)
  std::size_t max_body_bytes = 1 << 20;  // the excess is read and dropped, so memory stays bounded
  bool discard_response = false;  // read the response to its end and keep none of it
  bool response_started = false;  // some of the response arrived (kept or discarded)
  curl_slist* header_list = nullptr;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  int socket_errno = 0;        // errno of a socket(2) that failed (open_socket_keeping_errno)
};

enum class BodySource {
  Memory,    // CURLOPT_POSTFIELDS: header and a body under 64 KiB go out in one write
  Callback,  // the caller sets CURLOPT_READFUNCTION (the executor holds a burst's last byte)
};

struct EasyOptions {
  long timeout_ms = 5000;        // CURLOPT_TIMEOUT_MS
  long connect_timeout_ms = 0;   // 0: libcurl's default
  bool tcp_nodelay = false;
  BodySource body_source = BodySource::Memory;
  bool http2 = false;            // TransportOptions::http2
  const TlsOptions* tls = nullptr;  // none: verification on, the system's CAs, no client certificate
};

// Sets URL, method and body, headers (no "Expect: 100-continue"), the HTTP
// version (1.1, or 2: ALPN on https://, prior knowledge on http://), TLS,
// http(s) only, timeouts and the callbacks that fill `exchange`. `request`
// must outlive the transfer: its body is sent from where it is.
// Throws LocalError when the header list cannot be allocated.
void configure_easy(CURL* easy, const HttpRequest& request, CurlExchange& exchange, const EasyOptions& options);

struct TransportFailure {
  std::string reason;       // the history label: "timeout", "connection-refused", ...
  std::string description;  // for messages: "connection refused to http://...: <libcurl's detail>"
};

// What the transfer on `easy` negotiated: kProtocolHttp2 ("h2") or
// kProtocolHttp1 ("http/1.1"); "" before a response arrived.
std::string negotiated_protocol(CURL* easy);

// Folds one response's protocol into a run's: the first one seen, except that
// HTTP/1.1 wins (an h2 run that fell back anywhere must say so).
void fold_protocol(std::string& run_protocol, const std::string& response_protocol);

// The reason of a transfer that ended with `code` (not CURLE_OK).
std::string transport_reason(CURLcode code);

// What a transfer that ended with `code` (not CURLE_OK) means. Throws
// LocalError (harness/local_error.h) when the failure is this machine's: the
// request never reached the target, so it is not the target's outcome.
TransportFailure transport_failure(CURL* easy, CURLcode code, const CurlExchange& exchange, const std::string& url,
                                   long timeout_ms);

}  // namespace racecheck
