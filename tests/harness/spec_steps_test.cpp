// Parsing of multi-request operations ("steps", "conflict", guards, captures):
// what loads, and the JSON pointer and reason of each error.
#include <string>

#include <gtest/gtest.h>

#include "harness/spec.h"

namespace racecheck {
namespace {

// An account model over a versioned key-value API: withdraw reads the value
// and its ETag, refuses on insufficient funds, then writes If-Match.
json cas_spec() {
  return json::parse(R"({
    "base_urls": ["http://127.0.0.1:8080"],
    "operations": {
      "withdraw": {
        "idempotency": "none",
        "steps": [
          {"method": "GET", "path": "/kv/{account}", "capture": {"balance": "/value", "etag": {"header": "ETag"}}},
          {"refuse_if": {"less": ["{balance}", "{amount}"]}, "error": "insufficient-funds"},
          {"method": "PUT", "path": "/kv/{account}", "headers": {"If-Match": "{etag}"},
           "body": {"value": "{balance-amount}"}}
        ],
        "conflict": {"status": [409, 412], "max_attempts": 8},
        "classify": [{"status": 200, "outcome": "ok"}, {"status": 412, "outcome": "fail", "error": "conflict"}],
        "extract": {"balance": "/value"}
      },
      "read": {"method": "GET", "path": "/kv/{account}", "classify": [{"status": 200, "outcome": "ok"}],
               "extract": {"balance": "/value"}}
    }
  })");
}

std::string error_of(const json& spec) {
  try {
    parse_spec(spec, "kv.json");
  } catch (const SpecError& e) {
    return e.pointer + ": " + e.reason;
  }
  return "(loaded)";
}

TEST(SpecSteps, LoadsStepsGuardsCapturesAndConflict) {
  const Spec spec = parse_spec(cas_spec(), "kv.json");
  const OperationSpec* op = spec.find_operation("withdraw");
  ASSERT_NE(op, nullptr);
  ASSERT_EQ(op->steps.size(), 3u);
  ASSERT_TRUE(op->steps[0].request.has_value());
  ASSERT_EQ(op->steps[0].capture.size(), 2u);
  EXPECT_EQ(op->steps[0].capture[0].name, "balance");
  EXPECT_EQ(op->steps[0].capture[0].pointer, "/value");
  EXPECT_EQ(op->steps[0].capture[1].header, "ETag");
  ASSERT_TRUE(op->steps[1].guard.has_value());
  EXPECT_EQ(op->steps[1].guard->comparison, "less");
  EXPECT_EQ(op->steps[1].guard->error, "insufficient-funds");
  EXPECT_EQ(op->request.method, "PUT");  // the last step: the idempotency default follows it
  EXPECT_TRUE(op->conflict.status.contains(409));
  EXPECT_TRUE(op->conflict.status.contains(412));
  EXPECT_FALSE(op->conflict.status.contains(410));  // a list of statuses, not a range
  EXPECT_EQ(op->conflict.max_attempts, 8);
  // Captures and arithmetic of them are no arguments; {amount} and {account} are.
  EXPECT_EQ(op->args, (std::vector<std::string>{"account", "amount"}));
  EXPECT_TRUE(op->uses_account);
}

TEST(SpecSteps, CaptureErrorsNameTheStepsPointer) {
  json spec = cas_spec();
  spec["operations"]["withdraw"]["steps"][0]["capture"]["etag"] = {{"headr", "ETag"}};
  EXPECT_EQ(error_of(spec), "/operations/withdraw/steps/0/capture/etag/headr: unknown key \"headr\" (expected one of: pointer, header)")
      << error_of(spec);
  spec["operations"]["withdraw"]["steps"][0]["capture"]["etag"] = "value";
  EXPECT_NE(error_of(spec).find("/operations/withdraw/steps/0/capture/etag: "), std::string::npos) << error_of(spec);
  spec["operations"]["withdraw"]["steps"][0]["capture"]["etag"] = {{"pointer", "/v"}, {"header", "ETag"}};
  EXPECT_NE(error_of(spec).find("/operations/withdraw/steps/0/capture/etag: expected exactly one of"), std::string::npos)
      << error_of(spec);
}

TEST(SpecSteps, GuardErrors) {
  json spec = cas_spec();
  spec["operations"]["withdraw"]["steps"][1].erase("error");
  EXPECT_NE(error_of(spec).find("/operations/withdraw/steps/1/error: missing"), std::string::npos) << error_of(spec);
  spec = cas_spec();
  spec["operations"]["withdraw"]["steps"][1]["refuse_if"] = {{"below", json::array({"{balance}", "{amount}"})}};
  EXPECT_NE(error_of(spec).find("/operations/withdraw/steps/1/refuse_if/below: unknown comparison"), std::string::npos)
      << error_of(spec);
  spec["operations"]["withdraw"]["steps"][1]["refuse_if"] = {{"less", json::array({"{balance}"})}};
  EXPECT_NE(error_of(spec).find("/operations/withdraw/steps/1/refuse_if/less: expected [left, right]"), std::string::npos)
      << error_of(spec);
}

TEST(SpecSteps, SequenceShapeErrors) {
  json spec = cas_spec();
  spec["operations"]["withdraw"]["steps"].erase(2);
  EXPECT_NE(error_of(spec).find("/operations/withdraw/steps/1: the last step must be a request"), std::string::npos)
      << error_of(spec);
  spec = cas_spec();
  spec["operations"]["withdraw"]["method"] = "PUT";
  EXPECT_NE(error_of(spec).find("/operations/withdraw/method: not allowed beside \"steps\""), std::string::npos)
      << error_of(spec);
  spec = cas_spec();
  spec["operations"]["withdraw"]["steps"] = json::array();
  EXPECT_NE(error_of(spec).find("/operations/withdraw/steps: expected a non-empty array"), std::string::npos)
      << error_of(spec);
  spec = cas_spec();
  spec["operations"]["withdraw"]["steps"][0]["path"] = "/kv/{etag}";  // used before step 0 captures it
  EXPECT_NE(error_of(spec).find("/operations/withdraw/steps/0/path: {etag} is captured by a later step"),
            std::string::npos)
      << error_of(spec);
  spec = cas_spec();
  spec["operations"]["withdraw"]["steps"][0]["expect_status"] = 700;
  EXPECT_NE(error_of(spec).find("/operations/withdraw/steps/0/expect_status"), std::string::npos) << error_of(spec);
  spec = cas_spec();
  spec["operations"]["withdraw"]["steps"][2]["method"] = "FETCH";
  EXPECT_NE(error_of(spec).find("/operations/withdraw/steps/2/method: expected GET"), std::string::npos)
      << error_of(spec);
}

TEST(SpecSteps, ConflictErrors) {
  json spec = cas_spec();
  spec["operations"]["withdraw"]["conflict"]["max_attempts"] = 0;
  EXPECT_NE(error_of(spec).find("/operations/withdraw/conflict/max_attempts"), std::string::npos) << error_of(spec);
  spec = cas_spec();
  spec["operations"]["withdraw"]["conflict"].erase("status");
  EXPECT_NE(error_of(spec).find("/operations/withdraw/conflict/status: missing"), std::string::npos) << error_of(spec);
  spec = cas_spec();
  spec["operations"]["withdraw"]["conflict"]["statuses"] = 412;
  EXPECT_NE(error_of(spec).find("/operations/withdraw/conflict/statuses: unknown key"), std::string::npos)
      << error_of(spec);
}

}  // namespace
}  // namespace racecheck
