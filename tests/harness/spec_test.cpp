// The spec loader (validation messages name file, JSON pointer and reason) and
// the protocol built from a spec (rendering, classification, extraction,
// secrets, instance distribution).
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "harness/spec.h"
#include "harness/spec_protocol.h"

namespace racecheck {
namespace {

// A small but complete spec; the malformed-spec table mutates copies of it.
json base_spec() {
  return json::parse(R"({
    "name": "bank",
    "base_urls": ["http://127.0.0.1:8080/", "http://127.0.0.1:8081"],
    "distribution": "round-robin",
    "request": {"timeout_ms": 2000, "max_body_bytes": 4096},
    "headers": {"Authorization": "Bearer {secret:token}"},
    "idempotency_header": "Idem-Key",
    "secrets": {"token": {"env": "RACECHECK_SPEC_TEST_TOKEN"}},
    "secret_headers": ["X-Api-Key"],
    "setup": [
      {"name": "reset", "method": "POST", "path": "/reset", "expect_status": 200, "capture": {"tenant": "/tenant"}}
    ],
    "accounts": {
      "count": 2,
      "initial_balance": 100,
      "setup": [
        {"name": "create", "method": "POST", "path": "/t/{tenant}/accounts",
         "body": {"balance": "{initial_balance}", "label": "acct-{index}"},
         "expect_status": 201, "capture": {"id": "/id"}}
      ],
      "id": "{id}"
    },
    "operations": {
      "withdraw": {
        "method": "POST",
        "path": "/t/{tenant}/accounts/{account}/withdraw",
        "headers": {"X-Note": "withdraw {amount}"},
        "body": {"amount": "{amount}", "memo": "take {amount} with key {key}", "key": "{key}", "literal": "{{not a placeholder}}"},
        "classify": [
          {"status": [200, 299], "outcome": "ok"},
          {"status": 409, "body": {"pointer": "/error", "equals": "insufficient_funds"}, "outcome": "fail", "error": "insufficient-funds"},
          {"status": 409, "body": [{"pointer": "/error", "equals": "key_in_flight"}], "outcome": "fail", "error": "key-in-flight"},
          {"status": {"any": [429, 503]}, "body": {"regex": "try again"}, "outcome": "fail", "error": "busy"},
          {"status": "5xx", "outcome": "info", "error": "server-error"}
        ],
        "extract": {"balance": "/balance", "who": "/meta/who"},
        "volatile": ["/request_id"]
      },
      "read": {
        "method": "GET",
        "path": "/t/{tenant}/accounts/{account}",
        "classify": [{"status": 200, "outcome": "ok"}],
        "extract": {"balance": "/balance"}
      }
    },
    "final_read": {"operation": "read"},
    "model": "account",
    "invariants": ["no-overdraft", "conservation"],
    "generator": {
      "clients": [2, 4],
      "ops_per_client": 3,
      "op_mix": {"withdraw": 3, "read": 1},
      "amount": [1, 50],
      "key_policy": {"fresh": 1, "concurrent-duplicate": 2},
      "retry_max_attempts": 2,
      "lost_response_probability": 0.25,
      "release": {"burst": 3, "staggered": 1},
      "stagger_us": [0, 500],
      "trials": 10,
      "budget_s": 5
    }
  })");
}

class SpecTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv("RACECHECK_SPEC_TEST_TOKEN", "s3cr3t-t0ken", 1); }
};

TrialVariables sample_variables() {
  TrialVariables v;
  v.variables = {{"tenant", "t 1"}};
  v.account_ids = {"acc-1", "acc/2"};
  return v;
}

std::string header(const HttpRequest& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

TEST_F(SpecTest, ParsesEveryFieldOfAValidSpec) {
  Spec s = parse_spec(base_spec(), "bank.json");
  EXPECT_EQ(s.file_name, "bank.json");
  EXPECT_EQ(s.name, "bank");
  EXPECT_EQ(s.base_urls, (std::vector<std::string>{"http://127.0.0.1:8080", "http://127.0.0.1:8081"}));
  EXPECT_EQ(s.request_timeout_ms, 2000);
  EXPECT_EQ(s.max_body_bytes, 4096u);
  EXPECT_EQ(s.idempotency_header, "Idem-Key");
  EXPECT_EQ(s.secrets.at("token"), "s3cr3t-t0ken");
  ASSERT_EQ(s.setup.size(), 1u);
  EXPECT_EQ(s.setup[0].capture, (std::vector<std::pair<std::string, std::string>>{{"tenant", "/tenant"}}));
  EXPECT_EQ(s.accounts.count, 2);
  EXPECT_EQ(s.accounts.setup[0].expect_status.ranges, (std::vector<std::pair<int, int>>{{201, 201}}));
  const OperationSpec* w = s.find_operation("withdraw");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->args, (std::vector<std::string>{"account", "amount"}));
  EXPECT_EQ(w->classify.size(), 5u);
  EXPECT_EQ(w->classify[3].status.ranges, (std::vector<std::pair<int, int>>{{429, 429}, {503, 503}}));
  EXPECT_EQ(w->classify[4].status.ranges, (std::vector<std::pair<int, int>>{{500, 599}}));
  EXPECT_EQ(w->volatile_fields, std::vector<std::string>{"/request_id"});
  EXPECT_EQ(s.final_read, "read");
  EXPECT_EQ(s.invariants, (std::vector<std::string>{"no-overdraft", "conservation"}));
  EXPECT_EQ(s.generator.clients.lo, 2);
  EXPECT_EQ(s.generator.clients.hi, 4);
  EXPECT_EQ(s.generator.ops_per_client.lo, 3);
  EXPECT_EQ(s.generator.ops_per_client.hi, 3);
  EXPECT_EQ(s.generator.accounts.lo, 2);  // from /accounts/count when the generator does not say
  EXPECT_EQ(s.generator.key_policy.size(), 2u);
  EXPECT_DOUBLE_EQ(s.generator.lost_response_probability, 0.25);
  EXPECT_DOUBLE_EQ(s.generator.burst_weight, 3);
  EXPECT_DOUBLE_EQ(s.generator.staggered_weight, 1);
  EXPECT_EQ(s.generator.trials, 10);
  EXPECT_EQ(s.secret_headers.front(), "Authorization");  // the default list, then the declared ones
  EXPECT_EQ(s.secret_headers.back(), "X-Api-Key");
  EXPECT_EQ(s.secret_values(), std::vector<std::string>{"s3cr3t-t0ken"});
}

TEST_F(SpecTest, IdempotencySectionDefaultsAndOverrides) {
  Spec spec = parse_spec(base_spec(), "bank.json");
  EXPECT_EQ(spec.idempotency.not_executed, (std::vector<std::string>{"busy", "key-in-flight", "key-reused", "rate-limited"}));
  EXPECT_TRUE(spec.idempotency.replay_refusals);
  json j = base_spec();
  j["idempotency"] = {{"not_executed", {"key-in-flight", "busy"}}, {"replay_refusals", false}};
  spec = parse_spec(j, "bank.json");
  EXPECT_EQ(spec.idempotency.not_executed, (std::vector<std::string>{"key-in-flight", "busy"}));
  EXPECT_FALSE(spec.idempotency.replay_refusals);
}

TEST_F(SpecTest, TextRoundTripGivesTheSameSpec) {
  Spec a = parse_spec_text(base_spec().dump(2), "bank.json");
  Spec b = parse_spec_text(json::parse(base_spec().dump()).dump(), "bank.json");
  EXPECT_EQ(a.base_urls, b.base_urls);
  ASSERT_EQ(a.operations.size(), b.operations.size());
  for (std::size_t i = 0; i < a.operations.size(); ++i) {
    EXPECT_EQ(a.operations[i].name, b.operations[i].name);
    EXPECT_EQ(a.operations[i].request.body, b.operations[i].request.body);
    EXPECT_EQ(a.operations[i].extract, b.operations[i].extract);
  }
}

TEST_F(SpecTest, DemoSpecFileLoads) {
  Spec s = load_spec_file(std::string(RACECHECK_SOURCE_DIR) + "/targets/demo/spec.json");
  EXPECT_EQ(s.model, "account");
  ASSERT_NE(s.find_operation("withdraw"), nullptr);
  ASSERT_NE(s.find_operation("deposit"), nullptr);
  ASSERT_NE(s.find_operation("read"), nullptr);
  EXPECT_EQ(s.accounts.balance_variable, "opening_balance");
  EXPECT_EQ(s.find_operation("withdraw")->volatile_fields,
            (std::vector<std::string>{"/request_id", "/processed_at_ns"}));
}

TEST_F(SpecTest, RendersTypedPlaceholders) {
  SpecProtocol p(parse_spec(base_spec(), "bank.json"), sample_variables());
  ScenarioOp op;
  op.f = "withdraw";
  op.args = {{"amount", 50}, {"account", 1}};
  op.key = "k-1";
  HttpRequest r = p.render(op, 1);
  EXPECT_EQ(r.method, "POST");
  // Path values are percent-encoded; the base URL of instance 1 is used.
  EXPECT_EQ(r.url, "http://127.0.0.1:8081/t/t%201/accounts/acc%2F2/withdraw");
  json body = json::parse(r.body);
  EXPECT_EQ(body["amount"], 50);  // exactly "{amount}": the number itself
  EXPECT_TRUE(body["amount"].is_number_integer());
  EXPECT_EQ(body["memo"], "take 50 with key k-1");  // inside text: interpolated
  EXPECT_EQ(body["key"], "k-1");
  EXPECT_EQ(body["literal"], "{not a placeholder}");
  EXPECT_EQ(header(r, "Authorization"), "Bearer s3cr3t-t0ken");
  EXPECT_EQ(header(r, "X-Note"), "withdraw 50");
  EXPECT_EQ(header(r, "Idem-Key"), "k-1");
  EXPECT_EQ(header(r, "Content-Type"), "application/json");

  op.key = "";
  r = p.render(op, 0);
  EXPECT_EQ(header(r, "Idem-Key"), "<absent>");
  EXPECT_EQ(json::parse(r.body)["key"], "");
  EXPECT_EQ(r.url.rfind("http://127.0.0.1:8080/", 0), 0u);

  ScenarioOp read;
  read.f = "read";
  read.args = {{"account", 0}};
  r = p.render(read, 0);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(header(r, "Content-Type"), "<absent>");
  EXPECT_EQ(r.url, "http://127.0.0.1:8080/t/t%201/accounts/acc-1");
}

TEST_F(SpecTest, RenderRefusesWhatItCannotFill) {
  SpecProtocol p(parse_spec(base_spec(), "bank.json"), sample_variables());
  ScenarioOp op;
  op.f = "withdraw";
  op.args = {{"account", 0}};  // no amount
  EXPECT_THROW(p.render(op, 0), RenderError);
  op.args = {{"account", 7}, {"amount", 1}};
  EXPECT_THROW(p.render(op, 0), RenderError);
  op.args = {{"account", 0}, {"amount", 1}};
  EXPECT_THROW(p.render(op, 2), RenderError);
  op.f = "transfer";
  EXPECT_THROW(p.render(op, 0), RenderError);
}

TEST_F(SpecTest, ClassifiesByStatusAndBodyAndExtracts) {
  SpecProtocol p(parse_spec(base_spec(), "bank.json"), sample_variables());
  ScenarioOp op;
  op.f = "withdraw";
  auto classify = [&](int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return p.classify(op, r);
  };
  Classification ok = classify(200, R"({"balance": 50, "meta": {"who": "me"}, "request_id": "r1"})");
  EXPECT_EQ(ok.outcome, Outcome::Ok);
  EXPECT_EQ(ok.error, "");
  EXPECT_EQ(ok.extracted, json({{"balance", 50}, {"who", "me"}}));

  Classification broke = classify(409, R"({"error": "insufficient_funds", "balance": 10})");
  EXPECT_EQ(broke.outcome, Outcome::Fail);
  EXPECT_EQ(broke.error, "insufficient-funds");
  EXPECT_EQ(broke.extracted, json({{"balance", 10}}));

  Classification in_flight = classify(409, R"({"error": "key_in_flight"})");
  EXPECT_EQ(in_flight.outcome, Outcome::Fail);
  EXPECT_EQ(in_flight.error, "key-in-flight");
  EXPECT_EQ(in_flight.extracted, json::object());

  // 409 with a body no rule names: indeterminate, and says so.
  Classification other = classify(409, R"({"error": "something_else"})");
  EXPECT_EQ(other.outcome, Outcome::Info);
  EXPECT_EQ(other.error, "unclassified");

  // Regex on the raw body, status from a list; the same status without the text falls through.
  EXPECT_EQ(classify(503, "please try again later").error, "busy");
  EXPECT_EQ(classify(503, "please try again later").outcome, Outcome::Fail);
  Classification down = classify(503, "<html>down</html>");
  EXPECT_EQ(down.outcome, Outcome::Info);
  EXPECT_EQ(down.error, "server-error");
  EXPECT_EQ(classify(429, "slow down").error, "unclassified");

  // A body that is not JSON never matches a pointer rule and extracts nothing.
  Classification garbage = classify(409, "insufficient_funds");
  EXPECT_EQ(garbage.error, "unclassified");
  EXPECT_EQ(garbage.extracted, json::object());
  EXPECT_EQ(classify(302, "").error, "unclassified");
}

TEST_F(SpecTest, SecretsComeFromTheEnvironmentOnly) {
  unsetenv("RACECHECK_SPEC_TEST_TOKEN");
  try {
    parse_spec(base_spec(), "bank.json");
    FAIL() << "expected SpecError";
  } catch (const SpecError& e) {
    EXPECT_STREQ(e.what(), "bank.json: /secrets/token/env: environment variable RACECHECK_SPEC_TEST_TOKEN is not set");
  }
  setenv("RACECHECK_SPEC_TEST_TOKEN", "other", 1);
  Spec s = parse_spec(base_spec(), "bank.json");
  EXPECT_EQ(s.secrets.at("token"), "other");
}

TEST_F(SpecTest, DistributesInstances) {
  json j = base_spec();
  j["base_urls"] = {"http://a", "http://b", "http://c"};
  auto protocol = [&](const char* policy, std::uint64_t seed) {
    json k = j;
    k["distribution"] = policy;
    return SpecProtocol(parse_spec(k, "bank.json"), sample_variables(), seed);
  };
  SpecProtocol rr = protocol("round-robin", 0);
  EXPECT_EQ(rr.instance_count(), 3);
  std::set<int> first_ops;
  for (int c = 0; c < 3; ++c) first_ops.insert(rr.pick_instance(c, 0));
  EXPECT_EQ(first_ops.size(), 3u);  // a burst's first requests spread over every instance
  for (int k = 0; k < 6; ++k) EXPECT_EQ(rr.pick_instance(0, k), k % 3);

  SpecProtocol pinned = protocol("pinned", 0);
  for (int k = 0; k < 5; ++k) EXPECT_EQ(pinned.pick_instance(4, k), 1);

  SpecProtocol random1 = protocol("random", 7), random1_again = protocol("random", 7), random2 = protocol("random", 8);
  std::map<int, int> counts;
  int differs = 0;
  for (int c = 0; c < 30; ++c) {
    for (int k = 0; k < 10; ++k) {
      int i = random1.pick_instance(c, k);
      ASSERT_GE(i, 0);
      ASSERT_LT(i, 3);
      EXPECT_EQ(i, random1_again.pick_instance(c, k));  // same seed, same choice: replays agree
      differs += i != random2.pick_instance(c, k);
      ++counts[i];
    }
  }
  EXPECT_GT(differs, 50);
  for (int i = 0; i < 3; ++i) EXPECT_GT(counts[i], 60) << "instance " << i;
}

TEST_F(SpecTest, OverridesBaseUrls) {
  Spec s = parse_spec(base_spec(), "bank.json");
  override_base_urls(s, {"https://example.test:9/"});
  EXPECT_EQ(s.base_urls, std::vector<std::string>{"https://example.test:9"});
  try {
    override_base_urls(s, {"ftp://x"});
    FAIL();
  } catch (const SpecError& e) {
    EXPECT_EQ(e.pointer, "/base_urls");
    EXPECT_NE(e.reason.find("http://"), std::string::npos);
  }
  EXPECT_THROW(override_base_urls(s, {}), SpecError);
}

TEST_F(SpecTest, Placeholders) {
  EXPECT_EQ(template_placeholders("/a/{account}/{{x}}/{b}"), (std::vector<std::string>{"account", "b"}));
  EXPECT_THROW(template_placeholders("/a/{account"), std::invalid_argument);
  EXPECT_THROW(template_placeholders("/a/}"), std::invalid_argument);
}

TEST_F(SpecTest, ChecksScenariosAgainstTheSpec) {
  Spec s = parse_spec(base_spec(), "bank.json");
  Scenario sc;
  sc.clients.resize(1);
  ScenarioOp withdraw;
  withdraw.f = "withdraw";
  withdraw.args = {{"amount", 5}, {"account", 1}};
  sc.clients[0].ops.push_back(withdraw);
  EXPECT_NO_THROW(check_scenario(s, sc, 2));
  auto pointer_of = [&](int accounts) {
    try {
      check_scenario(s, sc, accounts);
    } catch (const ScenarioError& e) {
      return e.pointer;
    }
    return std::string("<no error>");
  };
  EXPECT_EQ(pointer_of(1), "/clients/0/ops/0/args/account");
  sc.clients[0].ops[0].args.erase("amount");
  EXPECT_EQ(pointer_of(2), "/clients/0/ops/0/args/amount");
  sc.clients[0].ops[0].f = "transfer";
  EXPECT_EQ(pointer_of(2), "/clients/0/ops/0/f");
  sc.clients[0].instance = 5;
  EXPECT_EQ(pointer_of(2), "/clients/0/instance");
}

// ---------------------------------------------------------------------------
// Malformed specs: each names the file, the JSON pointer and the reason.

struct Malformed {
  const char* what;
  std::function<void(json&)> mutate;
  const char* pointer;
  const char* reason;  // a substring of the reason
};

class MalformedSpecTest : public SpecTest, public ::testing::WithParamInterface<Malformed> {};

TEST_P(MalformedSpecTest, NamesFilePointerAndReason) {
  const Malformed& m = GetParam();
  json j = base_spec();
  m.mutate(j);
  try {
    parse_spec(j, "bank.json");
    FAIL() << m.what << ": no error";
  } catch (const SpecError& e) {
    EXPECT_EQ(e.file, "bank.json") << m.what;
    EXPECT_EQ(e.pointer, m.pointer) << m.what << ": " << e.what();
    EXPECT_NE(e.reason.find(m.reason), std::string::npos) << m.what << ": " << e.what();
    EXPECT_EQ(std::string(e.what()), "bank.json: " + std::string(m.pointer) + ": " + e.reason);
  }
}

const Malformed kMalformed[] = {
    {"status out of range", [](json& j) { j["operations"]["withdraw"]["classify"][2]["status"] = 1000; },
     "/operations/withdraw/classify/2/status", "expected an integer 100-599 or [lo, hi]"},
    {"status as text", [](json& j) { j["operations"]["withdraw"]["classify"][0]["status"] = "ok"; },
     "/operations/withdraw/classify/0/status", "expected an integer 100-599 or [lo, hi]"},
    {"status range reversed", [](json& j) { j["operations"]["withdraw"]["classify"][0]["status"] = {299, 200}; },
     "/operations/withdraw/classify/0/status", "lo > hi"},
    {"status range item", [](json& j) { j["operations"]["withdraw"]["classify"][0]["status"] = {200, 700}; },
     "/operations/withdraw/classify/0/status/1", "expected an integer 100-599"},
    {"unknown top-level key", [](json& j) { j["base_url"] = "http://x"; }, "/base_url", "unknown key \"base_url\""},
    {"unknown operation key", [](json& j) { j["operations"]["withdraw"]["clasify"] = json::array(); },
     "/operations/withdraw/clasify", "unknown key"},
    {"unknown rule key", [](json& j) { j["operations"]["withdraw"]["classify"][1]["outcomes"] = "fail"; },
     "/operations/withdraw/classify/1/outcomes", "unknown key"},
    {"missing base_urls", [](json& j) { j.erase("base_urls"); }, "/base_urls", "missing"},
    {"empty base_urls", [](json& j) { j["base_urls"] = json::array(); }, "/base_urls", "non-empty array"},
    {"bad base URL", [](json& j) { j["base_urls"][1] = "localhost:8080"; }, "/base_urls/1", "http://"},
    {"bad distribution", [](json& j) { j["distribution"] = "roundrobin"; }, "/distribution", "\"round-robin\""},
    {"bad method", [](json& j) { j["operations"]["read"]["method"] = "FETCH"; }, "/operations/read/method", "expected GET"},
    {"path without slash", [](json& j) { j["operations"]["read"]["path"] = "accounts"; }, "/operations/read/path",
     "beginning with '/'"},
    {"unknown placeholder", [](json& j) { j["operations"]["read"]["path"] = "/t/{tenantt}/{account}/{1x}"; },
     "/operations/read/path", "bad placeholder {1x}"},
    {"unclosed placeholder", [](json& j) { j["operations"]["withdraw"]["body"]["memo"] = "take {amount"; },
     "/operations/withdraw/body/memo", "unclosed '{'"},
    {"undeclared secret", [](json& j) { j["operations"]["read"]["headers"] = {{"X-Api-Key", "{secret:api}"}}; },
     "/operations/read/headers/X-Api-Key", "unknown secret {secret:api}"},
    {"setup uses later capture", [](json& j) { j["setup"][0]["path"] = "/reset/{tenant}"; }, "/setup/0/path",
     "unknown placeholder {tenant}"},
    {"bad outcome", [](json& j) { j["operations"]["withdraw"]["classify"][1]["outcome"] = "failed"; },
     "/operations/withdraw/classify/1/outcome", "expected \"ok\", \"fail\" or \"info\""},
    {"fail rule without label", [](json& j) { j["operations"]["withdraw"]["classify"][1].erase("error"); },
     "/operations/withdraw/classify/1/error", "needs a label"},
    {"empty classify", [](json& j) { j["operations"]["read"]["classify"] = json::array(); },
     "/operations/read/classify", "non-empty array"},
    {"bad regex", [](json& j) { j["operations"]["withdraw"]["classify"][3]["body"] = {{"regex", "(unclosed"}}; },
     "/operations/withdraw/classify/3/body/regex", "invalid regular expression"},
    {"matcher without equals", [](json& j) { j["operations"]["withdraw"]["classify"][1]["body"] = {{"pointer", "/error"}}; },
     "/operations/withdraw/classify/1/body/equals", "missing"},
    {"matcher with both forms",
     [](json& j) { j["operations"]["withdraw"]["classify"][2]["body"][0]["regex"] = "x"; },
     "/operations/withdraw/classify/2/body/0", "not both"},
    {"bad extract pointer", [](json& j) { j["operations"]["withdraw"]["extract"]["balance"] = "balance"; },
     "/operations/withdraw/extract/balance", "JSON pointer"},
    {"volatile not a list", [](json& j) { j["operations"]["withdraw"]["volatile"] = "/request_id"; },
     "/operations/withdraw/volatile", "array of JSON pointers"},
    {"timeout zero", [](json& j) { j["request"]["timeout_ms"] = 0; }, "/request/timeout_ms", "expected an integer 1-"},
    {"body cap not a number", [](json& j) { j["request"]["max_body_bytes"] = "1MB"; }, "/request/max_body_bytes",
     "expected an integer"},
    {"unknown model", [](json& j) { j["model"] = "acount"; }, "/model", "unknown model \"acount\""},
    {"unknown invariant", [](json& j) { j["invariants"][1] = "no-lost-update"; }, "/invariants/1",
     "unknown invariant"},
    {"final read op missing", [](json& j) { j["final_read"]["operation"] = "get"; }, "/final_read/operation",
     "no operation named \"get\""},
    {"conservation without read", [](json& j) { j.erase("final_read"); j["operations"].erase("read");
                                                j["generator"]["op_mix"].erase("read"); },
     "/final_read", "conservation invariant needs a final read"},
    {"generator clients reversed", [](json& j) { j["generator"]["clients"] = {8, 2}; }, "/generator/clients",
     "lo > hi"},
    {"generator unknown op in mix", [](json& j) { j["generator"]["op_mix"]["transfer"] = 1; },
     "/generator/op_mix/transfer", "unknown name \"transfer\""},
    {"generator unknown key policy", [](json& j) { j["generator"]["key_policy"]["duplicate"] = 1; },
     "/generator/key_policy/duplicate", "unknown name"},
    {"generator probability > 1", [](json& j) { j["generator"]["lost_response_probability"] = 1.5; },
     "/generator/lost_response_probability", "probability 0-1"},
    {"generator all weights zero", [](json& j) { j["generator"]["op_mix"] = {{"withdraw", 0}}; },
     "/generator/op_mix", "at least one weight"},
    {"generator typo", [](json& j) { j["generator"]["trails"] = 3; }, "/generator/trails", "unknown key"},
    {"account id uses unknown var", [](json& j) { j["accounts"]["id"] = "{ident}"; }, "/accounts/id",
     "unknown placeholder {ident}"},
    {"balance variable not captured", [](json& j) { j["accounts"]["balance_variable"] = "balance"; },
     "/accounts/balance_variable", "not captured"},
    {"capture reserved name", [](json& j) { j["setup"][0]["capture"] = {{"account", "/id"}}; },
     "/setup/0/capture/account", "reserved"},
    {"header with newline", [](json& j) { j["headers"]["X-A"] = "a\r\nX-B: b"; }, "/headers/X-A", "line break"},
    {"secret without env", [](json& j) { j["secrets"]["token"] = json::object(); }, "/secrets/token/env", "missing"},
    {"operations not an object", [](json& j) { j["operations"] = json::array(); }, "/operations",
     "non-empty object"},
    {"setup expect_status list", [](json& j) { j["setup"][0]["expect_status"] = {200, 201, 204}; },
     "/setup/0/expect_status", "{\"any\": [...]}"},
    {"idempotency unknown key", [](json& j) { j["idempotency"] = {{"replay_refusal", false}}; },
     "/idempotency/replay_refusal", "unknown key"},
    {"idempotency replay not a bool", [](json& j) { j["idempotency"] = {{"replay_refusals", "no"}}; },
     "/idempotency/replay_refusals", "expected true or false"},
    {"idempotency label no rule records", [](json& j) { j["idempotency"] = {{"not_executed", {"busy", "key-inflight"}}}; },
     "/idempotency/not_executed/1", "no classify rule with outcome \"fail\" records the error \"key-inflight\""},
    {"idempotency label twice", [](json& j) { j["idempotency"] = {{"not_executed", {"busy", "busy"}}}; },
     "/idempotency/not_executed/1", "listed twice"},
    {"idempotency labels not a list", [](json& j) { j["idempotency"] = {{"not_executed", "busy"}}; },
     "/idempotency/not_executed", "expected an array of error labels"},
    {"final read with amount", [](json& j) { j["operations"]["read"]["path"] = "/a/{account}/{amount}"; },
     "/operations/read", "the final read runs without arguments"},
};

INSTANTIATE_TEST_SUITE_P(Spec, MalformedSpecTest, ::testing::ValuesIn(kMalformed));

TEST_F(SpecTest, JsonSyntaxErrorsNameLineAndColumn) {
  try {
    parse_spec_text("{\n  \"name\": \"x\",\n  \"base_urls\": [\"http://a\",]\n}\n", "bad.json");
    FAIL();
  } catch (const SpecError& e) {
    EXPECT_EQ(e.file, "bad.json");
    EXPECT_EQ(e.pointer, "");
    EXPECT_NE(e.reason.find("line 3, column"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("bad.json: invalid JSON at line 3, column ", 0), 0u) << e.what();
  }
}

TEST_F(SpecTest, DuplicateKeysAreRefused) {
  try {
    parse_spec_text(R"({"model": "account", "model": "register"})", "dup.json");
    FAIL();
  } catch (const SpecError& e) {
    EXPECT_NE(e.reason.find("duplicate key \"model\""), std::string::npos) << e.what();
  }
}

TEST_F(SpecTest, UnreadableFileNamesThePath) {
  try {
    load_spec_file("/nonexistent/racecheck/spec.json");
    FAIL();
  } catch (const SpecError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/racecheck/spec.json: cannot open the file");
  }
}

}  // namespace
}  // namespace racecheck
