// racecheck init's engine: OpenAPI documents (tests/openapi/) -> specs that load.
#include <gtest/gtest.h>

#include <string>

#include "harness/openapi_document.h"
#include "harness/openapi_spec.h"
#include "harness/spec.h"

namespace racecheck {
namespace {

const std::string kDir = RACECHECK_SOURCE_DIR "/tests/openapi/";

nlohmann::ordered_json init(const std::string& file, const InitOperations& ops) {
  return spec_from_openapi(OpenApiDocument::from_file(kDir + file), ops);
}

Spec load(const nlohmann::ordered_json& spec) { return parse_spec_text(spec.dump(), "generated.json"); }

const nlohmann::ordered_json* rule_with_error(const nlohmann::ordered_json& op, const std::string& error) {
  for (const auto& rule : op["classify"])
    if (rule.value("error", "") == error) return &rule;
  return nullptr;
}

TEST(OpenApiSpec, DemoBankYamlBecomesTheDemoSpecShape) {
  const auto spec = init("demo-bank.yaml", {"POST /accounts/{id}/withdraw", "POST /accounts/{id}/deposit",
                                            "GET /accounts/{id}", "POST /accounts"});
  const Spec loaded = load(spec);
  EXPECT_EQ(loaded.base_urls, std::vector<std::string>{"http://127.0.0.1:8080"});
  const auto& withdraw = spec["operations"]["withdraw"];
  EXPECT_EQ(withdraw["path"], "/accounts/{account}/withdraw");
  EXPECT_EQ(withdraw["body"], nlohmann::ordered_json({{"amount", "{amount}"}}));
  EXPECT_EQ(withdraw["idempotency"], "optional");
  const auto* refusal = rule_with_error(withdraw, "insufficient-funds");
  ASSERT_NE(refusal, nullptr) << withdraw.dump(2);
  EXPECT_EQ((*refusal)["body"]["equals"], "insufficient_funds");
  EXPECT_NE(rule_with_error(withdraw, "key-in-flight"), nullptr);
  EXPECT_NE(rule_with_error(withdraw, "key-reused"), nullptr);
  EXPECT_NE(rule_with_error(withdraw, "rate-limited"), nullptr);
  // The 409 of deposit is documented in prose only.
  EXPECT_NE(rule_with_error(spec["operations"]["deposit"], "key-in-flight"), nullptr);
  // allOf merged the balance and the volatile fields of the response.
  EXPECT_EQ(withdraw["extract"]["balance"], "/balance");
  EXPECT_EQ(withdraw["volatile"], nlohmann::ordered_json({"/processed_at_ns", "/request_id"}));
  EXPECT_EQ(spec["idempotency_header"], "Idempotency-Key");
  EXPECT_EQ(spec["accounts"]["setup"][0]["body"]["balance"], "{initial_balance}");
  EXPECT_EQ(spec["accounts"]["setup"][0]["capture"]["id"], "/id");
  EXPECT_EQ(spec["accounts"]["balance_variable"], "opening_balance");
  EXPECT_EQ(spec["final_read"]["operation"], "read");
}

TEST(OpenApiSpec, JsonDocumentWithRefsAllOfAndNestedErrorCodes) {
  const auto spec = init("payments-ledger.json", {"POST /wallets/{wallet}/payouts", "", "GET /wallets/{wallet_id}", "POST /wallets"});
  load(spec);
  EXPECT_EQ(spec["base_urls"][0], "https://eu.ledger.example/v1");
  const auto& payout = spec["operations"]["withdraw"];
  EXPECT_EQ(payout["path"], "/wallets/{account}/payouts");
  EXPECT_EQ(payout["idempotency"], "required");
  // allOf: the $ref'd Metadata part (optional: left out) and the required fields.
  EXPECT_EQ(payout["body"]["amount"], "{amount}");
  EXPECT_TRUE(payout["body"].contains("description"));
  EXPECT_FALSE(payout["body"].contains("reference"));
  const auto* refusal = rule_with_error(payout, "insufficient-funds");
  ASSERT_NE(refusal, nullptr) << payout.dump(2);
  EXPECT_EQ((*refusal)["body"]["pointer"], "/error/code");
  EXPECT_NE(rule_with_error(payout, "client-error"), nullptr);
  EXPECT_EQ(spec["accounts"]["setup"][0]["capture"]["id"], "/wallet_id");
  EXPECT_EQ(spec["operations"]["read"]["extract"]["balance"], "/available_balance");
  // Guesses are written down: the invented "owner" value and the security scheme.
  const std::string text = spec.dump();
  EXPECT_NE(text.find("body/owner: the document gives no example"), std::string::npos) << text;
  EXPECT_NE(text.find("securitySchemes"), std::string::npos);
}

TEST(OpenApiSpec, NoServersNoIdempotencyHeaderProseRefusal) {
  const auto spec = init("wallet-topup.yaml", {"POST /cards/{cardId}/debit", "", "GET /cards/{cardId}", ""});
  const Spec loaded = load(spec);
  EXPECT_TRUE(spec["idempotency_header"].is_null());
  EXPECT_EQ(spec["operations"]["withdraw"]["idempotency"], "none");
  EXPECT_EQ(spec["operations"]["withdraw"]["body"]["amount_cents"], "{amount}");
  EXPECT_NE(rule_with_error(spec["operations"]["withdraw"], "insufficient-funds"), nullptr);
  EXPECT_EQ(spec["accounts"]["id"], "{index}");
  EXPECT_NE(spec.dump().find("names no server"), std::string::npos);
}

TEST(OpenApiSpec, UnknownOperationNamesTheRole) {
  try {
    init("demo-bank.yaml", {"POST /accounts/{id}/refund", "", "", ""});
    FAIL() << "expected an error";
  } catch (const InitOperationError& e) {
    EXPECT_EQ(e.role, "withdraw");
    EXPECT_NE(std::string(e.what()).find("no path /accounts/{id}/refund"), std::string::npos) << e.what();
  }
  EXPECT_THROW(init("demo-bank.yaml", {"withdraw money", "", "", ""}), InitOperationError);
  EXPECT_THROW(init("demo-bank.yaml", {"", "", "GET /accounts/{id}", ""}), InitOperationError);
}

struct InvalidDocument {
  std::string file;
  std::string pointer;
  std::string reason;
};

class OpenApiInvalid : public ::testing::TestWithParam<InvalidDocument> {};

TEST_P(OpenApiInvalid, ErrorNamesFileAndPointer) {
  const InvalidDocument& c = GetParam();
  try {
    init(c.file, {"POST /accounts/{id}/withdraw", "", "", ""});
    FAIL() << "expected an error for " << c.file;
  } catch (const SpecError& e) {
    EXPECT_EQ(e.file, kDir + c.file);
    EXPECT_EQ(e.pointer, c.pointer) << e.what();
    EXPECT_NE(e.reason.find(c.reason), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Documents, OpenApiInvalid,
    ::testing::Values(
        InvalidDocument{"invalid-missing-ref.yaml",
                        "/paths/~1accounts~1{id}~1withdraw/post/requestBody/content/application~1json/schema/$ref",
                        "names nothing"},
        InvalidDocument{"invalid-swagger2.json", "/openapi", "3.0.x"},
        InvalidDocument{"invalid-syntax.yaml", "", "invalid YAML at line"},
        InvalidDocument{"invalid-ref-loop.yaml", "/components/schemas/B/$ref", "$ref loop"}));

TEST(OpenApiDocument, YamlScalarsKeepTheirJsonTypes) {
  const auto doc = OpenApiDocument::from_text(
      "openapi: 3.0.0\npaths: {}\nx: {n: 12, f: 1.5, t: true, z: null, s: '12', e: ~}\n", "t.yaml");
  const auto& x = doc.root()["x"];
  EXPECT_EQ(x["n"], 12);
  EXPECT_EQ(x["f"], 1.5);
  EXPECT_EQ(x["t"], true);
  EXPECT_TRUE(x["z"].is_null());
  EXPECT_EQ(x["s"], "12");
  EXPECT_TRUE(x["e"].is_null());
}

TEST(SpecComments, CommentKeysAreIgnoredInEveryCheckedObject) {
  // What init writes: notes beside the parts they are about.
  const std::string text = R"({
    "$comment": ["a", "b"], "base_urls": ["http://127.0.0.1:1"],
    "accounts": {"$comment": "x", "id": "{index}"},
    "operations": {"withdraw": {"$comment": "y", "method": "POST", "path": "/w/{account}", "body": {"amount": "{amount}"},
                                "classify": [{"$comment": "z", "status": 200, "outcome": "ok"}]}},
    "invariants": ["no-overdraft"], "generator": {"$comment": "g", "trials": 1}})";
  EXPECT_NO_THROW(parse_spec_text(text, "c.json"));
}

}  // namespace
}  // namespace racecheck
