// Can libcurl do the single-packet release? N POSTs multiplexed on one HTTP/2
// connection (CURLMOPT_PIPELINING = CURLPIPE_MULTIPLEX, CURLOPT_PIPEWAIT, h2c
// prior knowledge), each read callback pausing at its last byte; once all are
// parked, all are unpaused and one curl_multi_perform releases them. Then the
// same burst through H2Burst (nghttp2 used directly). Both against the tests'
// h2c server, which records in which socket read each END_STREAM arrived.
// Run under `strace -f -e trace=write,sendto,sendmsg` to count the writes
// between the RELEASE markers on stderr.
//   h2_release_compare [N]
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>

#include <curl/curl.h>

#include "harness/executor.h"
#include "harness/h2_burst.h"
#include "tests/harness/h2c_test_server.h"

namespace {

struct Upload {
  std::string body;
  std::size_t offset = 0;
  bool parked = false;
  bool released = false;
  CURL* easy = nullptr;
};

std::size_t read_held(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* u = static_cast<Upload*>(user);
  const std::size_t remaining = u->body.size() - u->offset;
  if (remaining == 0) return 0;
  std::size_t limit = remaining;
  if (!u->released) {
    if (remaining == 1) {
      u->parked = true;
      return CURL_READFUNC_PAUSE;
    }
    limit = remaining - 1;
  }
  const std::size_t n = std::min(size * count, limit);
  std::memcpy(buffer, u->body.data() + u->offset, n);
  u->offset += n;
  return n;
}

std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

void print_reads(const char* who, const racecheck::test::H2cTestServer& server) {
  std::map<int, int> per_read;
  for (const auto& end : server.stream_ends()) ++per_read[end.read_index];
  std::fprintf(stderr, "%s: %d connection(s); END_STREAM per server read:", who, server.connections());
  for (const auto& [read, count] : per_read) std::fprintf(stderr, " read %d: %d", read, count);
  std::fprintf(stderr, "%s\n", per_read.empty() ? " none arrived" : "");
}

void with_libcurl(int n) {
  racecheck::test::H2cTestServer server;
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  std::vector<Upload> uploads(static_cast<std::size_t>(n));
  const std::string url = server.base_url() + "/transfer";
  for (std::size_t i = 0; i < uploads.size(); ++i) {
    Upload& u = uploads[i];
    u.body = "{\"amount\":" + std::to_string(i + 10) + "}";
    u.easy = curl_easy_init();
    curl_easy_setopt(u.easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(u.easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
    curl_easy_setopt(u.easy, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(u.easy, CURLOPT_POST, 1L);
    curl_easy_setopt(u.easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(u.body.size()));
    curl_easy_setopt(u.easy, CURLOPT_READFUNCTION, read_held);
    curl_easy_setopt(u.easy, CURLOPT_READDATA, &u);
    curl_easy_setopt(u.easy, CURLOPT_WRITEFUNCTION, discard);
    curl_multi_add_handle(multi, u.easy);
  }
  int running = 1;
  for (int pass = 0; pass < 2000 && running > 0; ++pass) {  // at most about 2 s
    curl_multi_perform(multi, &running);
    bool all = true;
    for (const auto& u : uploads) all = all && u.parked;
    if (all) break;
    curl_multi_poll(multi, nullptr, 0, 1, nullptr);
  }
  int parked = 0;
  for (const auto& u : uploads) parked += u.parked ? 1 : 0;
  std::fprintf(stderr, "libcurl: %d of %d uploads parked at their last byte\n", parked, n);
  std::fprintf(stderr, "RELEASE-BEGIN libcurl\n");
  for (auto& u : uploads) {
    u.released = true;
    curl_easy_pause(u.easy, CURLPAUSE_CONT);
  }
  curl_multi_perform(multi, &running);
  std::fprintf(stderr, "RELEASE-END libcurl\n");
  for (int pass = 0; pass < 400 && running > 0; ++pass) {
    curl_multi_poll(multi, nullptr, 0, 5, nullptr);
    curl_multi_perform(multi, &running);
  }
  std::map<std::string, int> outcomes;
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
    long status = 0;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
    ++outcomes[std::string(curl_easy_strerror(msg->data.result)) + " / HTTP " + std::to_string(status)];
  }
  for (const auto& [what, count] : outcomes) std::fprintf(stderr, "libcurl: %d x %s\n", count, what.c_str());
  for (auto& u : uploads) {
    curl_multi_remove_handle(multi, u.easy);
    curl_easy_cleanup(u.easy);
  }
  curl_multi_cleanup(multi);
  print_reads("libcurl", server);
}

void with_nghttp2(int n) {
  racecheck::test::H2cTestServer server;
  std::vector<racecheck::HttpRequest> requests(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < requests.size(); ++i) {
    requests[i].method = "POST";
    requests[i].url = server.base_url() + "/transfer";
    requests[i].body = "{\"amount\":" + std::to_string(i + 10) + "}";
  }
  racecheck::H2Burst burst(requests, {});
  std::fprintf(stderr, "RELEASE-BEGIN nghttp2 (the release is inside start(), after the PING round trip)\n");
  burst.start();
  std::fprintf(stderr, "RELEASE-END nghttp2\n");
  const std::int64_t give_up = racecheck::monotonic_ns() + 5'000'000'000;
  while (!burst.done() && racecheck::monotonic_ns() < give_up) {
    pollfd p{burst.fd(), POLLIN, 0};
    ::poll(&p, 1, 50);
    burst.pump();
  }
  int ok = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) ok += burst.stream(i).response.status == 200 ? 1 : 0;
  std::fprintf(stderr, "nghttp2: %d of %d answered 200\n", ok, n);
  for (const auto& w : burst.rounds()) {
    std::fprintf(stderr, "nghttp2: release write of %zu streams: %zu bytes, %d segment(s), write call %.1f us\n",
                 w.streams, w.final_write_bytes, w.segments, static_cast<double>(w.write_ns) / 1000.0);
  }
  print_reads("nghttp2", server);
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::max(1, std::atoi(argv[1])) : 8;
  curl_global_init(CURL_GLOBAL_ALL);  // the harness opens libcurl on first use
  with_libcurl(n);
  with_nghttp2(n);
  return 0;
}
