// The single-packet release against an in-test h2c server that records in which
// socket read each stream's END_STREAM arrived.
#include "harness/h2_burst.h"

#include <poll.h>

#include <set>

#include <gtest/gtest.h>

#include "harness/executor.h"
#include "tests/harness/h2c_test_server.h"

namespace racecheck {
namespace {

std::vector<HttpRequest> posts(const std::string& base_url, int n) {
  std::vector<HttpRequest> requests;
  for (int i = 0; i < n; ++i) {
    HttpRequest r;
    r.method = "POST";
    r.url = base_url + "/transfer/" + std::to_string(i);
    r.headers = {{"Content-Type", "application/json"}};
    r.body = "{\"amount\":" + std::to_string(i + 10) + "}";
    requests.push_back(r);
  }
  return requests;
}

// Drives the burst until every stream finished, for at most 5 s.
void run_to_end(H2Burst& burst) {
  const std::int64_t give_up = monotonic_ns() + 5'000'000'000;
  while (!burst.done() && monotonic_ns() < give_up) {
    pollfd p{burst.fd(), POLLIN, 0};
    ::poll(&p, 1, 50);
    burst.pump();
  }
}

TEST(H2Burst, FinalFramesOfEightRequestsArriveInOneRead) {
  test::H2cTestServer server;
  H2Burst burst(posts(server.base_url(), 8), {});
  burst.start();
  run_to_end(burst);
  ASSERT_TRUE(burst.done());
  for (std::size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(burst.stream(i).error, "") << burst.stream(i).error_detail;
    EXPECT_EQ(burst.stream(i).response.status, 200);
    EXPECT_EQ(burst.stream(i).response.body, "{\"ok\":true}");
    EXPECT_GE(burst.stream(i).last_byte_ns, 0);
  }
  const auto ends = server.stream_ends();
  ASSERT_EQ(ends.size(), 8u);
  std::set<int> reads;
  for (const auto& e : ends) reads.insert(e.read_index);
  EXPECT_EQ(reads.size(), 1u) << "the final frames came in " << reads.size() << " reads";
  // The held part went out before: the release read is not the connection's first.
  EXPECT_GT(*reads.begin(), 0);
  EXPECT_EQ(server.connections(), 1);
  ASSERT_EQ(burst.rounds().size(), 1u);
  EXPECT_EQ(burst.rounds()[0].streams, 8u);
  // 8 DATA frames of one byte each: 8 * (9 + 1) bytes.
  EXPECT_EQ(burst.rounds()[0].final_write_bytes, 80u);
  EXPECT_EQ(burst.rounds()[0].segments, 1);
  // The server saw every body whole.
  std::map<std::string, std::string> body_of_path;
  for (const auto& r : server.requests()) body_of_path[r.path] = r.body;
  EXPECT_EQ(body_of_path.size(), 8u);
  EXPECT_EQ(body_of_path["/transfer/7"], "{\"amount\":17}");
}

TEST(H2Burst, BodylessRequestsAreHeldByAnEmptyFinalFrame) {
  test::H2cTestServer server;
  std::vector<HttpRequest> requests(4);
  for (auto& r : requests) r.url = server.base_url() + "/balance";
  H2Burst burst(requests, {});
  burst.start();
  run_to_end(burst);
  std::set<int> reads;
  for (const auto& e : server.stream_ends()) reads.insert(e.read_index);
  EXPECT_EQ(server.stream_ends().size(), 4u);
  EXPECT_EQ(reads.size(), 1u);
  ASSERT_EQ(burst.rounds().size(), 1u);
  EXPECT_EQ(burst.rounds()[0].final_write_bytes, 4u * 9u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(burst.stream(i).response.status, 200);
}

TEST(H2Burst, MaxConcurrentStreamsSplitsTheBurstIntoRounds) {
  test::H2cTestServer server(3);
  H2Burst burst(posts(server.base_url(), 8), {});
  burst.start();
  run_to_end(burst);
  ASSERT_TRUE(burst.done());
  EXPECT_EQ(burst.max_concurrent_streams(), 3u);
  ASSERT_EQ(burst.rounds().size(), 3u);  // 3 + 3 + 2
  EXPECT_EQ(burst.rounds()[2].streams, 2u);
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(burst.stream(i).response.status, 200) << i;
  std::map<int, int> per_read;
  for (const auto& e : server.stream_ends()) ++per_read[e.read_index];
  EXPECT_EQ(per_read.size(), 3u);
}

TEST(H2Burst, AResetStreamIsReportedAndTheOthersComplete) {
  test::H2cTestServer server(100, [](const test::H2cTestServer::Request& r) {
    test::H2cTestServer::Reply reply;
    reply.reset = r.path == "/transfer/2";
    return reply;
  });
  H2Burst burst(posts(server.base_url(), 4), {});
  burst.start();
  run_to_end(burst);
  EXPECT_EQ(burst.stream(2).error, "stream-reset");
  EXPECT_EQ(burst.stream(1).error, "");
  EXPECT_EQ(burst.stream(3).response.status, 200);
}

TEST(H2Burst, ARefusedConnectionFinishesEveryStream) {
  int port = 0;
  {
    test::H2cTestServer gone;  // a port that was listening a moment ago
    port = std::stoi(gone.base_url().substr(gone.base_url().rfind(':') + 1));
  }
  H2Burst burst(posts("http://127.0.0.1:" + std::to_string(port), 3), {});
  burst.start();
  ASSERT_TRUE(burst.done());
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(burst.stream(i).error, "connection-refused");
    EXPECT_EQ(burst.stream(i).last_byte_ns, -1);
  }
  EXPECT_EQ(burst.take_finished().size(), 3u);
}

TEST(H2Burst, TlsVerificationFailureIsATlsError) {
  // Plain h2c server spoken to as https: the handshake fails.
  test::H2cTestServer server;
  std::string url = server.base_url();
  url.replace(0, 4, "https");
  H2Burst burst(posts(url, 2), {});
  burst.start();
  EXPECT_EQ(burst.stream(0).error, "tls-error") << burst.stream(0).error_detail;
}

TEST(H2Url, ParsesAuthorityPortAndPath) {
  H2Url u;
  std::string error;
  ASSERT_TRUE(parse_h2_url("https://[::1]:8443/a?b=1", u, error));
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 8443);
  EXPECT_EQ(u.authority, "[::1]:8443");
  EXPECT_EQ(u.path, "/a?b=1");
  ASSERT_TRUE(parse_h2_url("http://bank", u, error));
  EXPECT_EQ(u.port, 80);
  EXPECT_EQ(u.path, "/");
  EXPECT_FALSE(parse_h2_url("ftp://x/", u, error));
  EXPECT_FALSE(parse_h2_url("http://x:99999/", u, error));
}

}  // namespace
}  // namespace racecheck
