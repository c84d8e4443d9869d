// HTTP/2 and TLS against a real server: nginx (scripts/nginx.sh, a throwaway
// config and a PKI made at test time) as an h2 (TLS), h2c and mTLS reverse
// proxy in front of the racy and the safe demo bank. Needs nginx-light and
// openssl (scripts/setup.sh --with nginx).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/demo_target_process.h"

namespace fs = std::filesystem;

namespace {

const std::string kRacecheck = RACECHECK_BINARY_DIR "/cli/racecheck";
const std::string kSpec = RACECHECK_SOURCE_DIR "/targets/demo/spec.json";
const std::string kNginxScript = RACECHECK_SOURCE_DIR "/scripts/nginx.sh";

using Exit = racecheck::test::ShellExit;
using Bank = racecheck::test::DemoTargetProcess;

Exit racecheck_run(const std::string& args, int limit_s = 20) {
  return racecheck::test::shell_exit("timeout -s KILL " + std::to_string(limit_s) + " " + kRacecheck + " " + args);
}

nlohmann::json load(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

// One nginx in front of one upstream; its URLs and files by name
// (NGINX_H2_URL, NGINX_CA, ...: scripts/nginx.sh). Stopped by its pid file.
class Nginx {
 public:
  Nginx(const fs::path& dir, const std::string& upstream) : dir_(dir) {
    const Exit started = racecheck::test::shell_exit(kNginxScript + " start " + dir.string() + " " + upstream);
    output_ = started.output;
    if (started.code != 0) return;
    std::istringstream lines(started.output);
    for (std::string line; std::getline(lines, line);) {
      const auto eq = line.find('=');
      if (line.rfind("NGINX_", 0) == 0 && eq != std::string::npos) vars_[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
  ~Nginx() { racecheck::test::shell_exit(kNginxScript + " stop " + dir_.string()); }
  Nginx(const Nginx&) = delete;
  Nginx& operator=(const Nginx&) = delete;
  bool up() const { return vars_.count("NGINX_PID") > 0; }
  std::string operator[](const std::string& name) const {
    auto it = vars_.find(name);
    return it == vars_.end() ? "" : it->second;
  }
  const std::string& output() const { return output_; }

 private:
  fs::path dir_;
  std::map<std::string, std::string> vars_;
  std::string output_;
};

// A demo bank and the nginx in front of it.
struct ProxiedBank {
  ProxiedBank(const std::string& balance, const fs::path& dir)
      : bank(balance, dir), proxy(dir / ("nginx-" + balance), bank.url()) {}
  std::string problem() const {
    if (bank.url().empty()) return "the demo bank did not start";
    return proxy.up() ? "" : "nginx did not start: " + proxy.output();
  }
  Bank bank;
  Nginx proxy;
};

class NginxH2 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("racecheck-nginx-itest-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    racy_ = new ProxiedBank("racy", dir_);
    safe_ = new ProxiedBank("safe", dir_);
  }
  static void TearDownTestSuite() {
    delete racy_;
    delete safe_;
    fs::remove_all(dir_);
  }
  void SetUp() override {
    ASSERT_EQ(racy_->problem(), "");
    ASSERT_EQ(safe_->problem(), "");
  }

  // A short run of the demo spec; the racy bank loses updates within a few trials.
  static Exit run(const std::string& target, const std::string& flags, const std::string& json_name = "") {
    std::string args = "run " + kSpec + " --target " + target + " " + flags +
                       " --budget 4s --repro 0 --shrink-budget 0 --quiet --seed 7";
    if (!json_name.empty()) args += " --json " + (dir_ / json_name).string();
    return racecheck_run(args);
  }

  static fs::path dir_;
  static ProxiedBank* racy_;
  static ProxiedBank* safe_;
};

fs::path NginxH2::dir_;
ProxiedBank* NginxH2::racy_ = nullptr;
ProxiedBank* NginxH2::safe_ = nullptr;

TEST_F(NginxH2, H2OverTlsWithCacertFailsOnRacyAndPassesOnSafe) {
  const Nginx& racy = racy_->proxy;
  const Exit caught = run(racy["NGINX_H2_URL"], "--http2 --cacert " + racy["NGINX_CA"], "h2-racy.json");
  EXPECT_EQ(caught.code, 1) << caught.output;
  EXPECT_NE(caught.output.find("protocol h2"), std::string::npos) << caught.output;
  const nlohmann::json result = load(dir_ / "h2-racy.json");
  EXPECT_EQ(result["protocol"], "h2");
  EXPECT_EQ(result["protocol_requested"], "h2");
  EXPECT_EQ(result["tls_verification"], "on");

  const Nginx& safe = safe_->proxy;
  const Exit passed = run(safe["NGINX_H2_URL"], "--http2 --cacert " + safe["NGINX_CA"] + " --trials 15");
  EXPECT_EQ(passed.code, 0) << passed.output;
}

// The single-packet release over TLS through a reverse proxy: every burst is
// streams of one h2 connection; the result and the history say so.
TEST_F(NginxH2, SinglePacketOverTlsFailsOnRacyAndPassesOnSafe) {
  const Nginx& racy = racy_->proxy;
  const Exit caught = run(racy["NGINX_H2_URL"], "--release single-packet --cacert " + racy["NGINX_CA"],
                          "single-packet-racy.json");
  EXPECT_EQ(caught.code, 1) << caught.output;
  const nlohmann::json result = load(dir_ / "single-packet-racy.json");
  EXPECT_EQ(result["protocol"], "h2");
  EXPECT_EQ(result["release_method"], "single-packet");
  EXPECT_EQ(result["tls_verification"], "on");

  // 15 trials of the safe bank: most scenarios are bursts (the demo spec's
  // generator weighs burst 4 : staggered 1).
  const Nginx& safe = safe_->proxy;
  const fs::path history = dir_ / "single-packet-safe.jsonl";
  const Exit passed = run(safe["NGINX_H2_URL"], "--release single-packet --cacert " + safe["NGINX_CA"] +
                                                    " --trials 15 --history " + history.string());
  EXPECT_EQ(passed.code, 0) << passed.output;
  std::ifstream in(history);
  int released = 0, h2_responses = 0, other_releases = 0;
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json e = nlohmann::json::parse(line);
    if (e.value("release", "") == "single-packet") ++released;
    else if (e.contains("release")) ++other_releases;
    if (e.value("protocol", "") == "h2") ++h2_responses;
  }
  EXPECT_GT(released, 15) << "the bursts' first requests, released as one packet each";
  EXPECT_EQ(other_releases, 0);
  EXPECT_GT(h2_responses, released);
}

TEST_F(NginxH2, H2cWithPriorKnowledgeFailsOnRacyAndPassesOnSafe) {
  const Exit caught = run(racy_->proxy["NGINX_H2C_URL"], "--http2", "h2c-racy.json");
  EXPECT_EQ(caught.code, 1) << caught.output;
  EXPECT_EQ(load(dir_ / "h2c-racy.json")["protocol"], "h2");
  const Exit passed = run(safe_->proxy["NGINX_H2C_URL"], "--http2 --trials 15");
  EXPECT_EQ(passed.code, 0) << passed.output;
}

// Without --http2 the same TLS port answers over HTTP/1.1: the recorded protocol
// is what was negotiated, not what nginx could have offered.
TEST_F(NginxH2, Http11OverTlsRecordsHttp11) {
  const Nginx& safe = safe_->proxy;
  const Exit passed = run(safe["NGINX_H2_URL"], "--cacert " + safe["NGINX_CA"] + " --trials 3", "h1-safe.json");
  EXPECT_EQ(passed.code, 0) << passed.output;
  EXPECT_EQ(load(dir_ / "h1-safe.json")["protocol"], "http/1.1");
}

TEST_F(NginxH2, UnknownCaIsATargetErrorSayingSo) {
  const Exit refused = run(safe_->proxy["NGINX_H2_URL"], "--http2");
  EXPECT_EQ(refused.code, 3) << refused.output;
  EXPECT_NE(refused.output.find("not signed by a trusted CA"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find(safe_->proxy["NGINX_H2_URL"]), std::string::npos) << refused.output;
}

// SNI: the port serves the localhost certificate only to a client that asks for
// localhost; by IP address (no SNI) it gets a certificate for another name.
TEST_F(NginxH2, CertificateForAnotherHostIsATargetError) {
  const Nginx& safe = safe_->proxy;
  const Exit refused = run(safe["NGINX_WRONG_NAME_URL"], "--http2 --cacert " + safe["NGINX_CA"]);
  EXPECT_EQ(refused.code, 3) << refused.output;
  EXPECT_NE(refused.output.find("bad host name"), std::string::npos) << refused.output;
}

TEST_F(NginxH2, InsecureRunsAndEveryReportSaysVerificationIsOff) {
  const Nginx& safe = safe_->proxy;
  const fs::path html = dir_ / "insecure.html";
  const Exit passed = run(safe["NGINX_H2_URL"], "--http2 --insecure --trials 3 --html " + html.string(),
                          "insecure.json");
  EXPECT_EQ(passed.code, 0) << passed.output;
  EXPECT_NE(passed.output.find("TLS verification OFF"), std::string::npos) << passed.output;
  const nlohmann::json result = load(dir_ / "insecure.json");
  EXPECT_EQ(result["tls_verification"], "off");
  EXPECT_NE(result["transport_warnings"].dump().find("TLS verification OFF"), std::string::npos) << result.dump();
  std::ifstream in(html);
  const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("TLS verification OFF"), std::string::npos);
}

TEST_F(NginxH2, MutualTlsNeedsTheClientCertificate) {
  const Nginx& safe = safe_->proxy;
  const std::string tls = "--http2 --cacert " + safe["NGINX_CA"];
  const Exit refused = run(safe["NGINX_MTLS_URL"], tls);
  EXPECT_EQ(refused.code, 3) << refused.output;
  EXPECT_NE(refused.output.find("No required SSL certificate"), std::string::npos) << refused.output;
  const Exit passed = run(safe["NGINX_MTLS_URL"],
                          tls + " --trials 3 --cert " + safe["NGINX_CLIENT_CERT"] + " --key " + safe["NGINX_CLIENT_KEY"]);
  EXPECT_EQ(passed.code, 0) << passed.output;
}

TEST_F(NginxH2, UnreadableCertificateFileIsAUsageErrorNamingTheFlag) {
  const std::string missing = (dir_ / "no-such-client.pem").string();
  const Exit refused = run(safe_->proxy["NGINX_MTLS_URL"], "--cert " + missing);
  EXPECT_EQ(refused.code, 2) << refused.output;
  EXPECT_NE(refused.output.find("--cert"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find(missing), std::string::npos) << refused.output;
}

}  // namespace
