// The spec's idempotency fields ("idempotency" per operation, "idempotency_key")
// and the load-time lint: errors where a spec cannot work, warnings (file: JSON
// pointer: reason) where part of it can never apply.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>
#include <string>

#include "harness/generator.h"
#include "harness/generator_settings.h"
#include "harness/spec.h"
#include "harness/spec_protocol.h"

namespace racecheck {
namespace {

// One account, a ledger model, operations naming the account.
json lint_spec() {
  return json::parse(R"({
    "base_urls": ["http://127.0.0.1:9"],
    "accounts": {"count": 1, "setup": [{"method": "POST", "path": "/accounts", "capture": {"id": "/id"}}], "id": "{id}"},
    "operations": {
      "withdraw": {"method": "POST", "path": "/a/{account}/withdraw", "body": {"amount": "{amount}"},
                   "classify": [{"status": 200, "outcome": "ok"}]},
      "deposit": {"method": "POST", "path": "/a/{account}/deposit", "body": {"amount": "{amount}"},
                  "classify": [{"status": 200, "outcome": "ok"}]},
      "read": {"method": "GET", "path": "/a/{account}", "classify": [{"status": 200, "outcome": "ok"}],
               "extract": {"balance": "/balance"}}
    },
    "model": "account"
  })");
}

// The SpecError's "pointer: reason", or "" when the spec loads.
std::string error_of(const json& j) {
  try {
    parse_spec(j, "spec.json");
  } catch (const SpecError& e) {
    EXPECT_EQ(e.file, "spec.json");
    return e.pointer + ": " + e.reason;
  }
  return "";
}

std::string warnings_of(const json& j) {
  std::string out;
  for (const auto& w : parse_spec(j, "spec.json").warnings) out += w + "\n";
  return out;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(SpecIdempotency, DefaultsAreOptionalForPostAndNoneForGet) {
  const Spec s = parse_spec(lint_spec(), "spec.json");
  EXPECT_EQ(s.find_operation("withdraw")->idempotency, Idempotency::Optional);
  EXPECT_EQ(s.find_operation("read")->idempotency, Idempotency::None);
  EXPECT_FALSE(s.find_operation("withdraw")->idempotency_given);
  EXPECT_TRUE(s.warnings.empty()) << warnings_of(lint_spec());
}

TEST(SpecIdempotency, ParsesEachValueAndRejectsOthers) {
  json j = lint_spec();
  j["operations"]["withdraw"]["idempotency"] = "required";
  j["operations"]["deposit"]["idempotency"] = "none";
  j["operations"]["read"]["idempotency"] = "optional";
  const Spec s = parse_spec(j, "spec.json");
  EXPECT_EQ(s.find_operation("withdraw")->idempotency, Idempotency::Required);
  EXPECT_EQ(s.find_operation("deposit")->idempotency, Idempotency::None);
  EXPECT_EQ(s.find_operation("read")->idempotency, Idempotency::Optional);

  j["operations"]["deposit"]["idempotency"] = "sometimes";
  EXPECT_EQ(error_of(j), "/operations/deposit/idempotency: expected \"required\", \"optional\" or \"none\", got \"sometimes\"");
  j["operations"]["deposit"]["idempotency"] = true;
  EXPECT_TRUE(has(error_of(j), "/operations/deposit/idempotency: expected a string")) << error_of(j);
}

TEST(SpecIdempotency, KeyPlaceholderInAnOperationWithoutKeysIsAnError) {
  json j = lint_spec();
  j["operations"]["deposit"]["idempotency"] = "none";
  j["operations"]["deposit"]["headers"] = {{"X-Request-Id", "{key}"}};
  EXPECT_TRUE(has(error_of(j), "/operations/deposit/headers/X-Request-Id: {key} is used, but the operation is marked"))
      << error_of(j);
  j = lint_spec();
  j["operations"]["read"]["path"] = "/a/{account}?k={key}";
  EXPECT_TRUE(has(error_of(j), "/operations/read/path: {key} is used, but a GET operation takes no key by default"))
      << error_of(j);
  j["operations"]["read"]["idempotency"] = "optional";
  EXPECT_EQ(error_of(j), "");
}

TEST(SpecIdempotency, KeysThatCouldNeverBeSentAreAnError) {
  json j = lint_spec();
  j["idempotency_header"] = nullptr;
  j["operations"]["withdraw"]["idempotency"] = "required";
  EXPECT_TRUE(has(error_of(j), "/operations/withdraw/idempotency: \"required\", but a key would never reach the service"))
      << error_of(j);
  // Carried in the body instead: fine, and no header is added.
  j["operations"]["withdraw"]["body"]["request_key"] = "{key}";
  const Spec s = parse_spec(j, "spec.json");
  EXPECT_EQ(s.idempotency_header, "");
  // By default an operation that could not carry a key takes none.
  EXPECT_EQ(s.find_operation("deposit")->idempotency, Idempotency::None);
  TrialVariables vars;
  vars.account_ids = {json("acc-1")};
  SpecProtocol p(s, vars);
  ScenarioOp op{"withdraw", {{"account", 0}, {"amount", 5}}, "k-1", 1, false, 0};
  const HttpRequest r = p.render(op, 0);
  EXPECT_EQ(json::parse(r.body)["request_key"], "k-1");
  for (const auto& [name, value] : r.headers) EXPECT_NE(name, "Idempotency-Key");
}

TEST(SpecIdempotencyKey, TemplateFormatAndMaxLength) {
  json j = lint_spec();
  EXPECT_EQ(parse_spec(j, "spec.json").idempotency_key.key_template, "rc-{run}-t{trial}-c{client}-op{op}");
  j["idempotency_key"] = {{"format", "uuid"}};
  EXPECT_EQ(parse_spec(j, "spec.json").idempotency_key.key_template, "{uuid}");
  j["idempotency_key"] = {{"template", "pay_{uuid}"}, {"max_length", 40}};
  EXPECT_EQ(parse_spec(j, "spec.json").idempotency_key.max_length, 40u);

  struct Bad {
    json key;
    std::string expected;
  };
  const std::vector<Bad> bad = {
      {{{"format", "ulid"}}, "/idempotency_key/format: expected \"uuid\""},
      {{{"format", "uuid"}, {"template", "{uuid}"}}, "/idempotency_key: use either \"template\" or \"format\""},
      {{{"template", "{run}-{client}-{op}"}}, "/idempotency_key/template: keys would repeat: the template needs {uuid}"},
      {{{"template", "{run}-{trial}-{client}{op}"}}, "/idempotency_key/template: keys would repeat: {client} and {op}"},
      {{{"template", "{uuid}-{nonce}"}}, "/idempotency_key/template: unknown placeholder {nonce}"},
      {{{"template", "key {uuid}"}}, "/idempotency_key/template: a key is sent in a header: only visible ASCII"},
      {{{"template", "{uuid"}}, "/idempotency_key/template: unclosed '{'"},
      {{{"template", "pay_{uuid}"}, {"max_length", 32}}, "/idempotency_key/max_length: keys from template \"pay_{uuid}\" can be 40 characters long"},
      {{{"max_length", 0}}, "/idempotency_key/max_length: expected an integer 1-4096"},
      {{{"length", 10}}, "/idempotency_key/length: unknown key"},
      {json("uuid"), "/idempotency_key: expected an object"},
  };
  for (const auto& b : bad) {
    json k = lint_spec();
    k["idempotency_key"] = b.key;
    EXPECT_TRUE(has(error_of(k), b.expected)) << b.key.dump() << " -> " << error_of(k);
  }
}

TEST(SpecLint, OperationsThatNeverNameAnAccount) {
  json j = lint_spec();
  j["operations"]["withdraw"]["path"] = "/withdraw";
  j["operations"]["deposit"]["path"] = "/deposit";
  j["operations"]["read"]["path"] = "/balance";
  // One account: loads, says so, and every op acts on account 0 (the final read's).
  EXPECT_EQ(error_of(j), "");
  EXPECT_TRUE(has(warnings_of(j), "spec.json: /operations: no operation uses {account}")) << warnings_of(j);
  const GeneratorSettings s = generator_settings_from_spec(parse_spec(j, "spec.json"));
  const auto gen = gen_scenario_plan(s);
  for (int seed = 0; seed < 20; ++seed) {
    for (const auto& c : build_scenario(gen(rc::Random(seed), 30).value()).clients)
      for (const auto& op : c.ops) EXPECT_EQ(op.args.value("account", -1), 0) << op.f;
  }
  // Several accounts: nothing could say which one a request is for.
  j["accounts"]["count"] = 2;
  EXPECT_TRUE(has(error_of(j), "/operations: no operation uses {account} (in its path, query, headers or body), but 2 accounts"))
      << error_of(j);
  j["accounts"]["count"] = 1;
  j["generator"] = {{"accounts", 3}};
  EXPECT_TRUE(has(error_of(j), "but 3 accounts are set up per trial")) << error_of(j);
}

TEST(SpecLint, OneOperationThatNamesNoAccountAmongSeveral) {
  json j = lint_spec();
  j["accounts"]["count"] = 2;
  j["operations"]["deposit"]["path"] = "/deposit";
  EXPECT_TRUE(has(warnings_of(j), "spec.json: /operations/deposit: does not use {account} while other operations do"))
      << warnings_of(j);
  // {account} in a header or the body counts as much as in the path.
  j["operations"]["deposit"]["headers"] = {{"X-Account", "{account}"}};
  EXPECT_EQ(warnings_of(j), "");
}

TEST(SpecLint, KeyPoliciesThatCanNeverApply) {
  json j = lint_spec();
  j["operations"]["withdraw"]["idempotency"] = "none";
  j["operations"]["deposit"]["idempotency"] = "none";
  j["generator"] = {{"key_policy", {{"fresh", 1}, {"concurrent-duplicate", 1}}}};
  std::string w = warnings_of(j);
  EXPECT_TRUE(has(w, "spec.json: /generator/key_policy/fresh: never applies: no operation takes an idempotency key")) << w;
  EXPECT_TRUE(has(w, "/generator/key_policy/concurrent-duplicate: never applies")) << w;

  j = lint_spec();
  j["operations"]["withdraw"]["idempotency"] = "required";
  j["operations"]["deposit"]["idempotency"] = "required";
  j["generator"] = {{"key_policy", {{"none", 1}, {"fresh", 1}}}};
  w = warnings_of(j);
  EXPECT_TRUE(has(w, "/generator/key_policy/none: never applies: every operation that takes a key is")) << w;

  j = lint_spec();
  j["generator"] = {{"key_policy", {{"none", 1}}}};
  EXPECT_EQ(warnings_of(j), "");  // keys switched off on purpose
  j["operations"]["withdraw"]["idempotency"] = "required";
  EXPECT_TRUE(has(warnings_of(j), "/generator/key_policy: draws only \"none\", which never applies to operation \"withdraw\""))
      << warnings_of(j);

  j = lint_spec();
  j["operations"]["withdraw"]["body"] = {{"user", "{name}"}};
  j["operations"]["deposit"]["idempotency"] = "none";
  j["generator"] = {{"key_policy", {{"fresh", 1}, {"different-payload", 1}}}};
  EXPECT_TRUE(has(warnings_of(j), "/generator/key_policy/different-payload: no operation that takes a key has a numeric"))
      << warnings_of(j);
  // The defaults never warn.
  EXPECT_EQ(warnings_of(lint_spec()), "");
}

TEST(SpecLint, LoadSpecFilePrintsWarningsToStderr) {
  json j = lint_spec();
  j["generator"] = {{"key_policy", {{"none", 1}}}};
  j["operations"]["withdraw"]["idempotency"] = "required";
  const auto path = std::filesystem::temp_directory_path() / ("racecheck-lint-" + std::to_string(::getpid()) + ".json");
  {
    std::ofstream out(path);
    out << j.dump();
  }
  ::testing::internal::CaptureStderr();
  const Spec s = load_spec_file(path.string());
  const std::string err = ::testing::internal::GetCapturedStderr();
  std::filesystem::remove(path);
  EXPECT_EQ(s.warnings.size(), 1u);
  EXPECT_TRUE(has(err, "warning: " + path.string() + ": /generator/key_policy: draws only \"none\"")) << err;
}

// Every spec shipped under targets/ loads (warnings allowed, errors not).
TEST(SpecLint, EveryShippedSpecLoads) {
  int specs = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(RACECHECK_SOURCE_DIR "/targets")) {
    if (entry.path().extension() != ".json" || entry.path().string().find("node_modules") != std::string::npos) continue;
    std::ifstream in(entry.path());
    json j = json::parse(in, nullptr, false);
    if (!j.is_object() || !j.contains("operations") || !j.contains("base_urls")) continue;  // not a spec
    ++specs;
    try {
      const Spec s = parse_spec(j, entry.path().string());
      for (const auto& w : s.warnings) std::cout << "warning: " << w << "\n";
    } catch (const SpecError& e) {
      ADD_FAILURE() << e.what();
    }
  }
  EXPECT_GT(specs, 0);
}

}  // namespace
}  // namespace racecheck
