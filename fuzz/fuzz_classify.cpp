// libFuzzer target: the response classifier and the replay comparison. A fixed
// spec with every kind of rule (exact status, range, class, list; pointer and
// regex body matchers; nested extract pointers; volatile fields) classifies
// fuzzed responses: input = 2 bytes of status, then the body. A target's
// response is untrusted input; nothing it sends may crash racecheck.
#include <cstddef>
#include <cstdint>
#include <string>

#include "harness/spec.h"
#include "harness/spec_protocol.h"

namespace {

const char* kSpec = R"({
  "base_urls": ["http://127.0.0.1:8080"],
  "accounts": {"count": 1, "id": "acc-{index}"},
  "operations": {
    "withdraw": {
      "method": "POST",
      "path": "/accounts/{account}/withdraw",
      "body": {"amount": "{amount}"},
      "classify": [
        {"status": [200, 201], "body": {"pointer": "/ok", "equals": true}, "outcome": "ok"},
        {"status": 409, "body": [{"pointer": "/error/code", "equals": "insufficient_funds"}, {"regex": "funds?"}],
         "outcome": "fail", "error": "insufficient-funds"},
        {"status": {"any": [409, 422, [425, 429]]}, "body": {"pointer": "/items/0/state", "equals": "busy"},
         "outcome": "fail", "error": "busy"},
        {"status": 503, "body": {"regex": "(main|maint)enance.*window"}, "outcome": "fail", "error": "maintenance"},
        {"status": "2xx", "outcome": "ok"},
        {"status": "5xx", "outcome": "info", "error": "server-error"}
      ],
      "extract": {"balance": "/balance", "first": "/items/0", "deep": "/a/b/c/d", "escaped": "/x~1y~0z", "whole": ""},
      "volatile": ["/request_id", "/items/0", "/items/-", "/a/b", "/x~1y~0z"]
    },
    "read": {
      "method": "GET", "path": "/accounts/{account}",
      "classify": [{"status": 200, "outcome": "ok"}],
      "extract": {"balance": "/balance"}
    }
  },
  "invariants": ["no-overdraft"]
})";

const racecheck::SpecProtocol& protocol() {
  static const racecheck::SpecProtocol p(racecheck::parse_spec_text(kSpec, "fuzz_classify.json"),
                                         racecheck::TrialVariables{racecheck::json::object(), {"acc-0"}});
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  racecheck::HttpResponse response;
  response.status = 100 + (data[0] | (data[1] << 8)) % 500;
  response.body.assign(reinterpret_cast<const char*>(data) + 2, size - 2);
  racecheck::ScenarioOp op;
  op.f = "withdraw";
  op.args = {{"account", 0}, {"amount", 5}};
  const racecheck::Classification c = protocol().classify(op, response);
  // The classification is recorded in the history: it must print.
  (void)c.extracted.dump(-1, ' ', false, racecheck::json::error_handler_t::replace);
  return 0;
}
