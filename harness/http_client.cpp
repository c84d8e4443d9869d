// Blocking HTTP with libcurl easy. Used for the sequential parts of a trial
// (setup, reset, final read), where simplicity beats concurrency.
#include "harness/http_client.h"

#include <memory>
#include <string>

#include <curl/curl.h>

#include "harness/curl_init.h"
#include "harness/http_request.h"
#include "harness/local_error.h"

namespace racecheck {
namespace {

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};

}  // namespace

HttpResponse http_call(const HttpRequest& request, int timeout_ms, std::size_t max_body_bytes,
                       const TransportOptions& transport) {
  ensure_curl_initialized();
  // One handle per thread, reset between calls: it keeps its connection, so a
  // trial's setup and final read reuse one keep-alive connection instead of
  // connecting and closing per request. After a transport error the handle is
  // dropped: the next call starts from a fresh connection.
  thread_local std::unique_ptr<CURL, EasyDeleter> easy;
  if (easy) {
    curl_easy_reset(easy.get());
  } else {
    easy.reset(curl_easy_init());
  }
  if (!easy) throw LocalError("curl_easy_init failed (out of memory)");
  CURL* h = easy.get();
  CurlExchange exchange;
  exchange.max_body_bytes = max_body_bytes;
  EasyOptions options;
  options.timeout_ms = timeout_ms;
  options.http2 = transport.http2;
  options.tls = &transport.tls;
  configure_easy(h, request, exchange, options);

  const CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    HttpResponse response;
    try {
      const TransportFailure failure = transport_failure(h, code, exchange, request.url, timeout_ms);
      response.transport_error = failure.reason;
      response.transport_detail = failure.description;
    } catch (...) {
      easy.reset();
      throw;
    }
    easy.reset();
    return response;
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  exchange.response.status = static_cast<int>(status);
  return std::move(exchange.response);
}

}  // namespace racecheck
