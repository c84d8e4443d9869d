// The Express example targets' specs (targets/express/*/spec.json) load with
// the real spec loader, agree with their expected.json (model, instances), and
// classify the exact bodies the targets answer with as the models expect
// (business refusals with the model's refusal label, no-effect refusals with
// theirs, 5xx as indeterminate), and render requests to the targets' routes.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness/spec.h"
#include "harness/spec_protocol.h"

namespace racecheck {
namespace {

namespace fs = std::filesystem;

const fs::path kExpressDir = fs::path(RACECHECK_SOURCE_DIR) / "targets" / "express";

std::vector<std::string> target_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kExpressDir)) {
    if (entry.is_directory() && fs::exists(entry.path() / "expected.json")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

json read_json(const fs::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

Classification classify(const Spec& spec, const std::string& op, int status, const json& body) {
  SpecProtocol protocol(spec, TrialVariables{json::object(), {json("acct-1")}});
  ScenarioOp scenario_op;
  scenario_op.f = op;
  HttpResponse response;
  response.status = status;
  response.body = body.dump();
  return protocol.classify(scenario_op, response);
}

void expect_class(const Spec& spec, const std::string& op, int status, const json& body, Outcome outcome,
                  const std::string& error) {
  Classification c = classify(spec, op, status, body);
  EXPECT_EQ(c.outcome, outcome) << spec.name << " " << op << " " << status << " " << body.dump();
  EXPECT_EQ(c.error, error) << spec.name << " " << op << " " << status << " " << body.dump();
}

TEST(ExpressSpecs, EveryTargetHasALoadableSpecThatAgreesWithExpectedJson) {
  const std::vector<std::string> names = target_names();
  ASSERT_EQ(names.size(), 39u);
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    const json expected = read_json(kExpressDir / name / "expected.json");
    ASSERT_NO_THROW({
      Spec spec = load_spec_file((kExpressDir / name / "spec.json").string());
      EXPECT_EQ(spec.model, expected.at("model").get<std::string>());
      EXPECT_EQ(spec.base_urls.size(), static_cast<std::size_t>(expected.value("instances", 1)));
      const std::string verdict = expected.at("expected").get<std::string>();
      EXPECT_TRUE(verdict == "safe" || verdict == "buggy");
      EXPECT_FALSE(expected.at("why").get<std::string>().empty());
      // Only targets with idempotency keys are sent keys and checked for them.
      bool sends_keys = false;
      for (const auto& [policy, weight] : spec.generator.key_policy) sends_keys |= policy != "none" && weight > 0;
      const bool checks_keys = std::find(spec.invariants.begin(), spec.invariants.end(), "idempotency") != spec.invariants.end();
      EXPECT_EQ(sends_keys, checks_keys);
    });
  }
}

TEST(ExpressSpecs, BankSpecsClassifyTheTargetsBodies) {
  for (const auto& name : target_names()) {
    Spec spec = load_spec_file((kExpressDir / name / "spec.json").string());
    // The bank API's; other API styles ("api" in expected.json) have their own
    // tests (values_spec_test, op_steps_itest).
    if (spec.model != "account" || read_json(kExpressDir / name / "expected.json").contains("api")) continue;
    SCOPED_TRACE(name);
    const json applied = {{"id", "acct-1"}, {"balance", 50}, {"amount", 50}, {"request_id", "r"}};
    expect_class(spec, "withdraw", 200, applied, Outcome::Ok, "");
    EXPECT_EQ(classify(spec, "withdraw", 200, applied).extracted, (json{{"balance", 50}}));
    expect_class(spec, "withdraw", 409, {{"error", "insufficient_funds"}, {"balance", 10}}, Outcome::Fail, "insufficient-funds");
    expect_class(spec, "withdraw", 429, {{"error", "busy"}}, Outcome::Fail, "busy");
    expect_class(spec, "deposit", 400, {{"error", "bad_request"}}, Outcome::Fail, "bad-request");
    expect_class(spec, "deposit", 500, {{"error", "internal"}}, Outcome::Info, "server-error");
    expect_class(spec, "read", 200, {{"id", "acct-1"}, {"balance", 7}}, Outcome::Ok, "");
    // expected.json's keys.refusals says how the target refuses a duplicate in
    // flight and a reused key: the draft's 409/422, or express-idempotency's
    // 409/417 carrying the message of the Error the middleware raises.
    const json expected = read_json(kExpressDir / name / "expected.json");
    EXPECT_EQ(expected.contains("keys"), spec.generator.retry_max_attempts > 1);
    const std::string refusals = expected.contains("keys") ? expected["keys"].value("refusals", "") : "";
    if (refusals == "draft") {
      expect_class(spec, "withdraw", 409, {{"error", "key_in_flight"}}, Outcome::Fail, "key-in-flight");
      expect_class(spec, "deposit", 422, {{"error", "key_reused"}}, Outcome::Fail, "key-reused");
    } else if (refusals == "express-idempotency") {
      expect_class(spec, "withdraw", 409, {{"error", "A previous request is still in progress for this key."}},
                   Outcome::Fail, "key-in-flight");
      expect_class(spec, "deposit", 417, {{"error", "Misuse of the idempotency key. Please check your request."}},
                   Outcome::Fail, "key-reused");
    } else {
      EXPECT_FALSE(expected.contains("keys")) << "unknown keys.refusals '" << refusals << "'";
    }
    SpecProtocol protocol(spec, TrialVariables{json::object(), {json("acct-1")}});
    ScenarioOp op;
    op.f = "withdraw";
    op.args = {{"account", 0}, {"amount", 50}};
    HttpRequest request = protocol.render(op, 0);
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.url, spec.base_urls[0] + "/accounts/acct-1/withdraw");
    EXPECT_EQ(json::parse(request.body), (json{{"amount", 50}}));
  }
}

// Money with cents: the spec declares the scale, amounts go out as the decimal
// text drawn, and balances come back raw (a number or a decimal string), to be
// recorded exactly in cents.
TEST(ExpressSpecs, DecimalMoneySpecsDeclareCentsAndKeepBalancesRaw) {
  int decimal = 0;
  for (const auto& name : target_names()) {
    const json expected = read_json(kExpressDir / name / "expected.json");
    if (expected.value("api", "") != "decimal") continue;
    SCOPED_TRACE(name);
    ++decimal;
    Spec spec = load_spec_file((kExpressDir / name / "spec.json").string());
    EXPECT_TRUE(spec.money.declared);
    EXPECT_EQ(spec.money.scale, 2);
    EXPECT_EQ(classify(spec, "read", 200, {{"balance", 0.30000000000000004}}).extracted,
              (json{{"balance", 0.30000000000000004}}));
    EXPECT_EQ(classify(spec, "withdraw", 200, {{"balance", "10.10"}}).extracted, (json{{"balance", "10.10"}}));
    expect_class(spec, "withdraw", 409, {{"error", "insufficient_funds"}}, Outcome::Fail, "insufficient-funds");
    SpecProtocol protocol(spec, TrialVariables{json::object(), {json("7")}});
    ScenarioOp op;
    op.f = "withdraw";
    op.args = {{"account", 0}, {"amount", "10.10"}};
    const HttpRequest request = protocol.render(op, 0);
    EXPECT_EQ(request.url, spec.base_urls[0] + "/accounts/7/withdraw");
    EXPECT_EQ(json::parse(request.body), (json{{"amount", "10.10"}}));
  }
  EXPECT_EQ(decimal, 2);
}

// The bank in other API styles (expected.json "api"): numbers travel as
// strings and come back as strings, converted to integers for the model.
TEST(ExpressSpecs, StyledBankSpecsSendStringsAndConvertBalancesBack) {
  int styled = 0;
  for (const auto& name : target_names()) {
    const json expected = read_json(kExpressDir / name / "expected.json");
    // The styles that carry numbers as strings (kv-cas sends JSON numbers).
    if (expected.value("api", "") != "grpc-gateway" && expected.value("api", "") != "form") continue;
    SCOPED_TRACE(name);
    ++styled;
    Spec spec = load_spec_file((kExpressDir / name / "spec.json").string());
    const std::string api = expected["api"].get<std::string>();
    EXPECT_EQ(classify(spec, "withdraw", 200, {{"balance", "9007199254740993"}}).extracted,
              (json{{"balance", 9007199254740993LL}}));
    EXPECT_EQ(classify(spec, "read", 200, {{"balance", "7"}}).extracted, (json{{"balance", 7}}));
    expect_class(spec, "read", 200, {{"balance", "7x"}}, Outcome::Info, "value-unconvertible: balance integer: \"7x\" is not a decimal integer that fits in 64 bits");
    SpecProtocol protocol(spec, TrialVariables{json::object(), {json("acct 1")}});
    ScenarioOp op;
    op.f = "withdraw";
    op.args = {{"account", 0}, {"amount", 50}, {"memo", "hi"}};
    const HttpRequest request = protocol.render(op, 0);
    if (api == "grpc-gateway") {
      expect_class(spec, "withdraw", 400, {{"code", 9}, {"message", "insufficient funds"}}, Outcome::Fail, "insufficient-funds");
      EXPECT_EQ(request.url, spec.base_urls[0] + "/v1/accounts/acct%201:withdraw");
      EXPECT_EQ(json::parse(request.body), (json{{"amount", "50"}, {"memo", "aGk="}}));
    } else {
      EXPECT_EQ(api, "form");
      expect_class(spec, "withdraw", 409, {{"error", "insufficient_funds"}}, Outcome::Fail, "insufficient-funds");
      EXPECT_EQ(request.url, spec.base_urls[0] + "/withdraw");
      EXPECT_EQ(request.body, "account=acct+1&amount=50");
      op.f = "read";
      EXPECT_EQ(protocol.render(op, 0).url, spec.base_urls[0] + "/balance?account=acct%201");
    }
  }
  EXPECT_EQ(styled, 4);
}

TEST(ExpressSpecs, InventoryAndUserSpecsUseTheModelsRefusalLabels) {
  for (const auto& name : target_names()) {
    Spec spec = load_spec_file((kExpressDir / name / "spec.json").string());
    SCOPED_TRACE(name);
    if (spec.model == "inventory") {
      expect_class(spec, "reserve", 200, {{"id", "acct-1"}, {"stock", 3}, {"qty", 2}, {"reservation_id", "r"}}, Outcome::Ok, "");
      expect_class(spec, "reserve", 409, {{"error", "out_of_stock"}, {"stock", 1}}, Outcome::Fail, "out-of-stock");
      expect_class(spec, "release", 409, {{"error", "nothing_reserved"}, {"reserved", 0}}, Outcome::Fail, "nothing-reserved");
      EXPECT_EQ(classify(spec, "read", 200, {{"id", "acct-1"}, {"stock", 4}}).extracted, (json{{"stock", 4}}));
      SpecProtocol protocol(spec, TrialVariables{json::object(), {json("item-1")}});
      ScenarioOp op;
      op.f = "reserve";
      op.args = {{"account", 0}, {"quantity", 2}};
      HttpRequest request = protocol.render(op, 0);
      EXPECT_EQ(request.url, spec.base_urls[0] + "/items/item-1/reserve");
      EXPECT_EQ(json::parse(request.body), (json{{"qty", 2}}));
    } else if (spec.model == "unique-create") {
      expect_class(spec, "create", 201, {{"id", "u"}, {"name", "alice"}, {"team", "t"}}, Outcome::Ok, "");
      expect_class(spec, "create", 409, {{"error", "exists"}}, Outcome::Fail, "exists");
      SpecProtocol protocol(spec, TrialVariables{json::object(), {json("team-1")}});
      ScenarioOp op;
      op.f = "create";
      op.args = {{"account", 0}, {"name", "alice"}};
      HttpRequest request = protocol.render(op, 0);
      EXPECT_EQ(request.url, spec.base_urls[0] + "/teams/team-1/users");
      EXPECT_EQ(json::parse(request.body), (json{{"name", "alice"}}));
    }
  }
}

}  // namespace
}  // namespace racecheck
