// The least work a libcurl-based executor can do per request, as a peer in
// bench/throughput: C easy handles, each set up once (GET, body discarded) and
// re-added to one multi handle as soon as its transfer ends, so every request
// reuses its keep-alive connection. No history, no classification, no options
// set per request. racecheck's executor is built on libcurl's multi interface,
// so this loop's rate is the ceiling for it on this machine.
// Prints "requests=N seconds=S req_per_s=R" on stdout.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <curl/curl.h>

namespace {

std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bare libcurl multi keep-alive GET loop (throughput peer)"};
  std::string url;
  int connections = 16;
  double duration_s = 4;
  app.add_option("--url", url, "target URL")->required();
  app.add_option("--connections", connections, "concurrent transfers = keep-alive connections")
      ->check(CLI::Range(1, 1024));
  app.add_option("--duration-s", duration_s, "run this many seconds")->check(CLI::Range(0.1, 600.0));
  CLI11_PARSE(app, argc, argv);

  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(connections));
  std::vector<CURL*> handles;
  for (int i = 0; i < connections; ++i) {
    CURL* h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_multi_add_handle(multi, h);
    handles.push_back(h);
  }

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto stop = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(duration_s));
  long long requests = 0, failed = 0;
  bool running = true;
  while (running) {
    int still = 0;
    curl_multi_perform(multi, &still);
    int queued = 0;
    const bool time_up = Clock::now() >= stop;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      ++requests;
      if (msg->data.result != CURLE_OK) ++failed;
      CURL* h = msg->easy_handle;
      curl_multi_remove_handle(multi, h);
      if (!time_up) curl_multi_add_handle(multi, h);
    }
    if (time_up && still == 0) running = false;
    if (running) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (CURL* h : handles) curl_easy_cleanup(h);
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  std::printf("requests=%lld failed=%lld seconds=%.3f req_per_s=%.0f\n", requests, failed, seconds,
              static_cast<double>(requests) / seconds);
  return failed == 0 ? 0 : 1;
}
