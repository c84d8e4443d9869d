// Blocking HTTP with libcurl easy. Used for the sequential parts of a trial
// (setup, reset, final read), where simplicity beats concurrency.
#include "harness/http_client.h"

#include <memory>
#include <string>

#include <curl/curl.h>

#include "harness/curl_init.h"
#include "harness/curl_local_errors.h"
#include "harness/local_error.h"

namespace racecheck {
namespace {

struct ResponseSink {
  HttpResponse* response;
  std::size_t max_body_bytes;
};

// Keeps at most max_body_bytes; the rest is read and dropped so memory stays bounded.
std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<ResponseSink*>(user);
  const std::size_t n = size * count;
  std::string& body = sink->response->body;
  const std::size_t room = sink->max_body_bytes > body.size() ? sink->max_body_bytes - body.size() : 0;
  if (n > room) sink->response->body_truncated = true;
  body.append(data, n < room ? n : room);
  return n;
}

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// Header lines of the final response only: a new status line resets the list.
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<ResponseSink*>(user);
  const std::size_t n = size * count;
  std::string line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    sink->response->headers.clear();
    return n;
  }
  const auto colon = line.find(':');
  if (colon != std::string::npos && sink->response->headers.size() < 1000) {
    sink->response->headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  return n;
}

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::string describe_transport_error(CURLcode code, const char* detail, const HttpRequest& request,
                                     int timeout_ms) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return "timeout after " + std::to_string(timeout_ms) + " ms";
    case CURLE_COULDNT_CONNECT:
      return "connection refused to " + request.url;
    case CURLE_COULDNT_RESOLVE_HOST:
      return "cannot resolve host of " + request.url;
    case CURLE_GOT_NOTHING:
      return "empty reply from " + request.url;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return "connection reset by " + request.url;
    default: {
      std::string text = curl_easy_strerror(code);
      if (detail != nullptr && detail[0] != '\0') text += std::string(": ") + detail;
      return text + " (" + request.url + ")";
    }
  }
}

}  // namespace

HttpResponse http_call(const HttpRequest& request, int timeout_ms, std::size_t max_body_bytes) {
  ensure_curl_initialized();
  HttpResponse response;
  // One handle per thread, reset between calls: it keeps its connection, so a
  // trial's setup and final read reuse one keep-alive connection instead of
  // connecting and closing per request (bench/trials measured that as a third
  // of a trial). After a transport error the handle is dropped: the next call
  // starts from a fresh connection.
  thread_local std::unique_ptr<CURL, EasyDeleter> easy;
  if (easy) {
    curl_easy_reset(easy.get());
  } else {
    easy.reset(curl_easy_init());
  }
  if (!easy) throw LocalError("curl_easy_init failed (out of memory)");
  CURL* h = easy.get();
  ResponseSink sink{&response, max_body_bytes};
  char error_buffer[CURL_ERROR_SIZE] = {0};

  std::unique_ptr<curl_slist, SlistDeleter> header_list;
  curl_slist* raw_list = nullptr;
  for (const auto& [name, value] : request.headers) {
    raw_list = curl_slist_append(raw_list, (name + ": " + value).c_str());
  }
  raw_list = curl_slist_append(raw_list, "Expect:");
  header_list.reset(raw_list);

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  // Only HTTP(S), even if a URL slipped past validation, and never follow redirects elsewhere.
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
  int socket_errno = 0;
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket_keeping_errno);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &socket_errno);
  if (request.method == "GET" && request.body.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else {
    if (!request.body.empty() || request.method == "POST") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    }
    if (request.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  const CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    // A failure of this machine is not the target's: the caller's run stops.
    std::string local = local_transfer_failure(h, code, socket_errno, request.url, error_buffer);
    easy.reset();
    if (!local.empty()) throw LocalError(local);
    response.status = 0;
    response.transport_error = describe_transport_error(code, error_buffer, request, timeout_ms);
    return response;
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace racecheck
