// Spec loading for every model: operations are the model's (by name or "as"),
// "instance" pins an operation, {resource} is {account}, "accounts" is
// optional, and final_read may be any reading operation.
#include <gtest/gtest.h>

#include "harness/generator_settings.h"
#include "harness/spec.h"
#include "harness/spec_protocol.h"

namespace racecheck {
namespace {

json op(const std::string& method, const std::string& path, json extra = json::object()) {
  json o = {{"method", method}, {"path", path}, {"classify", {{{"status", 200}, {"outcome", "ok"}}}}};
  o.update(extra);
  return o;
}

json register_spec() {
  return {{"base_urls", {"http://127.0.0.1:1", "http://127.0.0.1:2"}},
          {"model", "register"},
          {"operations",
           {{"write", op("PUT", "/kv/{resource}", {{"body", {{"value", "{value}"}}}, {"instance", 0}})},
            {"read", op("GET", "/kv/{resource}", {{"extract", {{"value", "/value"}}}, {"instance", 1}})},
            {"leader_read", op("GET", "/kv/{resource}", {{"extract", {{"value", "/value"}}}, {"as", "read"}, {"instance", 0}})}}}};
}

SpecError load_error(const json& j) {
  try {
    parse_spec(j, "s.json");
  } catch (const SpecError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a SpecError";
  return SpecError("", "", "");
}

TEST(SpecModels, ARegisterSpecWithoutAccountsLoads) {
  const Spec spec = parse_spec(register_spec(), "s.json");
  const OperationSpec* leader_read = spec.find_operation("leader_read");
  ASSERT_NE(leader_read, nullptr);
  EXPECT_EQ(leader_read->model_op, "read");
  EXPECT_EQ(leader_read->instance, 0);
  EXPECT_EQ(spec.find_operation("read")->instance, 1);
  EXPECT_EQ(spec.find_operation("write")->model_op, "write");
  // {resource} is {account}: the scenario argument is the account index.
  EXPECT_TRUE(spec.find_operation("write")->uses_account);
  EXPECT_EQ(spec.find_operation("write")->args, (std::vector<std::string>{"account", "value"}));
  EXPECT_EQ(spec.accounts.id, "{index}");
  // The default mix of a model without a ledger has its reads too.
  const GeneratorSettings settings = generator_settings_from_spec(spec);
  EXPECT_EQ(settings.op_mix.size(), 3u);
}

TEST(SpecModels, ResourceRendersTheAccountIdAndInstancePinsTheOperation) {
  const Spec spec = parse_spec(register_spec(), "s.json");
  SpecProtocol protocol(spec, TrialVariables{json::object(), {json("x")}});
  ScenarioOp read;
  read.f = "read";
  read.args = {{"account", 0}};
  EXPECT_EQ(protocol.pinned_instance(read), 1);
  EXPECT_EQ(protocol.render(read, 1).url, "http://127.0.0.1:2/kv/x");
  ScenarioOp any;
  any.f = "nonesuch";
  EXPECT_EQ(protocol.pinned_instance(any), -1);
}

TEST(SpecModels, AnOperationTheModelDoesNotKnowIsASpecError) {
  json j = register_spec();
  j["operations"]["open"] = op("POST", "/open");
  const SpecError e = load_error(j);
  EXPECT_EQ(e.pointer, "/operations/open");
  EXPECT_NE(e.reason.find("model \"register\" knows read, write, cas"), std::string::npos) << e.reason;
  EXPECT_NE(e.reason.find("\"as\""), std::string::npos) << e.reason;
}

TEST(SpecModels, AnUnknownAsIsASpecErrorAtAs) {
  json j = register_spec();
  j["operations"]["leader_read"]["as"] = "get";
  const SpecError e = load_error(j);
  EXPECT_EQ(e.pointer, "/operations/leader_read/as");
  EXPECT_NE(e.reason.find("\"get\" is not an operation of model \"register\""), std::string::npos) << e.reason;
}

TEST(SpecModels, AnInstanceOutsideTheBaseUrlsIsASpecError) {
  json j = register_spec();
  j["operations"]["read"]["instance"] = 2;
  EXPECT_EQ(load_error(j).pointer, "/operations/read/instance");
}

TEST(SpecModels, TheFinalReadMayBeAnyReadingOperationButNotAWrite) {
  json j = register_spec();
  j["final_read"] = {{"operation", "leader_read"}};
  const Spec spec = parse_spec(j, "s.json");
  EXPECT_EQ(spec.final_read, "leader_read");
  EXPECT_EQ(spec.final_read_instance, 0);  // where leader_read is pinned
  j["operations"].erase("leader_read");
  j.erase("final_read");
  EXPECT_EQ(parse_spec(j, "s.json").final_read_instance, 1);  // "read", pinned to 1
  j["final_read"] = {{"operation", "write"}};
  const SpecError e = load_error(j);
  EXPECT_EQ(e.pointer, "/final_read/operation");
  EXPECT_NE(e.reason.find("counts as a write"), std::string::npos) << e.reason;
}

TEST(SpecModels, WithoutAnOperationNamedReadTheFinalReadIsOneRecordedAsRead) {
  json j = register_spec();
  j["operations"].erase("read");
  EXPECT_EQ(parse_spec(j, "s.json").final_read, "leader_read");
}

TEST(SpecModels, TheSetModelIsRegistered) {
  json j = {{"base_urls", {"http://127.0.0.1:1"}},
            {"model", "set"},
            {"operations",
             {{"add", op("POST", "/set", {{"body", {{"value", "{value}"}}}})},
              {"read", op("GET", "/set", {{"extract", {{"value", "/items"}}}})}}}};
  EXPECT_EQ(parse_spec(j, "s.json").model, "set");
}

}  // namespace
}  // namespace racecheck
