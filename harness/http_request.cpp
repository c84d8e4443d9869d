#include "harness/http_request.h"

#include <algorithm>
#include <string_view>

#include "harness/curl_local_errors.h"
#include "harness/local_error.h"

namespace racecheck {
namespace {

constexpr std::size_t kMaxHeaderLines = 1000;

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

// Header lines of the final response only: a new status line (after a 100 or
// a redirect) starts the list again.
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<CurlExchange*>(user);
  const std::size_t n = size * count;
  exchange->response_started = true;
  if (exchange->discard_response) return n;
  const std::string_view line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    exchange->response.headers.clear();
    return n;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos && exchange->response.headers.size() < kMaxHeaderLines) {
    exchange->response.headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  return n;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<CurlExchange*>(user);
  const std::size_t n = size * count;
  exchange->response_started = true;
  if (exchange->discard_response) return n;
  std::string& body = exchange->response.body;
  const std::size_t room = exchange->max_body_bytes > body.size() ? exchange->max_body_bytes - body.size() : 0;
  if (n > room) exchange->response.body_truncated = true;
  body.append(data, std::min(n, room));
  return n;
}

void set_method_and_body(CURL* h, const HttpRequest& request, BodySource source) {
  const std::string& method = request.method;
  if (method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    return;
  }
  if (request.body.empty()) {
    if (method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (method == "POST") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(0));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    } else {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    return;
  }
  // A body always goes with its Content-Length, never chunked.
  if (source == BodySource::Callback) curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  if (source == BodySource::Memory) curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
  if (method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
}

bool is_https(const std::string& url) { return url.rfind("https://", 0) == 0 || url.rfind("HTTPS://", 0) == 0; }

void set_http_version_and_tls(CURL* h, const std::string& url, const EasyOptions& options) {
  long version = CURL_HTTP_VERSION_1_1;
  if (options.http2) version = is_https(url) ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, version);
  // libcurl 7.88 breaks a reused h2c (prior knowledge) connection: 12 of 81
  // requests in one run failed with CURLE_HTTP2 and no detail (measured against
  // nginx; h2 over TLS reuses its connections without error). Every h2c
  // request gets a fresh connection, which the server sees as a new client.
  if (version == CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE) curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  if (options.tls == nullptr) return;
  const TlsOptions& tls = *options.tls;
  if (!tls.cacert.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, tls.cacert.c_str());
  if (tls.insecure) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!tls.cert.empty()) curl_easy_setopt(h, CURLOPT_SSLCERT, tls.cert.c_str());
  if (!tls.key.empty()) curl_easy_setopt(h, CURLOPT_SSLKEY, tls.key.c_str());
}

// The TLS failures a user can act on, in words; libcurl's detail follows.
std::string tls_failure_description(CURLcode code, const std::string& url, const char* detail) {
  const std::string d = detail != nullptr ? detail : "";
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
      if (d.find("subject name") != std::string::npos || d.find("host name") != std::string::npos)
        return "TLS: the certificate of " + url + " does not name its host (bad host name): " + d;
      return "TLS: the certificate of " + url +
             " is not signed by a trusted CA (unknown CA: pass --cacert FILE, or --insecure): " + d;
    case CURLE_SSL_CONNECT_ERROR:
      return "TLS: the handshake with " + url + " failed (refused by the server, or a client certificate it wants "
             "is missing: --cert/--key): " + d;
    case CURLE_SSL_CERTPROBLEM:
      return "TLS: the client certificate for " + url + " cannot be used (--cert/--key): " + d;
    case CURLE_SSL_CACERT_BADFILE:
      return "TLS: the CA file for " + url + " cannot be used (--cacert): " + d;
    default:
      return "TLS: " + std::string(curl_easy_strerror(code)) + " with " + url + (d.empty() ? "" : ": " + d);
  }
}

bool is_tls_failure(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return true;
    default:
      return false;
  }
}

// "http://host:port/path: detail" for a description; libcurl's error buffer
// often says more than the CURLcode does.
std::string with_detail(std::string text, const char* detail) {
  if (detail != nullptr && detail[0] != '\0') text += std::string(": ") + detail;
  return text;
}

}  // namespace

CurlExchange::~CurlExchange() { release_headers(); }

void CurlExchange::release_headers() {
  if (header_list != nullptr) curl_slist_free_all(header_list);
  header_list = nullptr;
}

void configure_easy(CURL* h, const HttpRequest& request, CurlExchange& exchange, const EasyOptions& options) {
  exchange.release_headers();
  for (const auto& [name, value] : request.headers) {
    curl_slist* longer = curl_slist_append(exchange.header_list, (name + ": " + value).c_str());
    if (longer == nullptr) throw LocalError("curl_slist_append failed (out of memory)");
    exchange.header_list = longer;
  }
  // No "Expect: 100-continue": a server that ignores it would stall the request.
  curl_slist* longer = curl_slist_append(exchange.header_list, "Expect:");
  if (longer == nullptr) throw LocalError("curl_slist_append failed (out of memory)");
  exchange.header_list = longer;

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  // Only HTTP(S), even if a URL slipped past validation, and never follow redirects elsewhere.
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  set_http_version_and_tls(h, request.url, options);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  if (options.tcp_nodelay) curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  if (options.connect_timeout_ms > 0) curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, options.timeout_ms);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, exchange.header_list);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, exchange.error_buffer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &exchange);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket_keeping_errno);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &exchange.socket_errno);
  set_method_and_body(h, request, options.body_source);
}

std::string negotiated_protocol(CURL* easy) {
  long version = 0;
  if (curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version) != CURLE_OK) return "";
  if (version == CURL_HTTP_VERSION_2_0) return kProtocolHttp2;
  if (version == CURL_HTTP_VERSION_1_0 || version == CURL_HTTP_VERSION_1_1) return kProtocolHttp1;
  return "";
}

void fold_protocol(std::string& run_protocol, const std::string& response_protocol) {
  if (response_protocol.empty() || run_protocol == kProtocolHttp1) return;
  run_protocol = response_protocol;
}

std::string transport_reason(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: return "timeout";
    case CURLE_COULDNT_CONNECT: return "connection-refused";
    case CURLE_COULDNT_RESOLVE_HOST: return "cannot-resolve-host";
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR: return "connection-reset";
    case CURLE_GOT_NOTHING: return "empty-reply";
    case CURLE_PARTIAL_FILE: return "partial-response";
    // Bytes that are not an HTTP response (libcurl refuses HTTP/0.9 bodies).
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL: return "not-http";
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return "http2-error";
    default: return is_tls_failure(code) ? "tls-error" : "transport-error";
  }
}

TransportFailure transport_failure(CURL* easy, CURLcode code, const CurlExchange& exchange, const std::string& url,
                                   long timeout_ms) {
  // A failure of this machine is not the target's: the caller's run stops.
  const std::string local = local_transfer_failure(easy, code, exchange.socket_errno, url, exchange.error_buffer);
  if (!local.empty()) throw LocalError(local);
  TransportFailure failure;
  failure.reason = transport_reason(code);
  const char* detail = exchange.error_buffer;
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      failure.description = "timeout after " + std::to_string(timeout_ms) + " ms (" + url + ")";
      break;
    case CURLE_COULDNT_CONNECT:
      failure.description = with_detail("connection refused to " + url, detail);
      break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      failure.description = with_detail("connection reset by " + url, detail);
      break;
    case CURLE_GOT_NOTHING:
      failure.description = "empty reply from " + url;
      break;
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      // h2c with prior knowledge to a server that speaks only HTTP/1.1 ends here.
      failure.description = with_detail("HTTP/2 failed with " + url + " (does the server speak HTTP/2" +
                                            (is_https(url) ? "" : " without TLS (h2c)") + "?)",
                                        detail);
      break;
    default:
      if (is_tls_failure(code)) {
        failure.description = tls_failure_description(code, url, detail);
        break;
      }
      failure.description = with_detail(failure.reason + " (" + curl_easy_strerror(code) + ") from " + url, detail);
      break;
  }
  return failure;
}

}  // namespace racecheck
