// The Protocol built from a spec: renders each scenario op into an HTTP request
// and classifies each response by the spec's ordered rules.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/protocol.h"
#include "harness/scenario.h"
#include "harness/spec.h"

namespace racecheck {

// What setup captured for one trial; templates read it.
struct TrialVariables {
  json variables = json::object();  // captured by /setup: name -> value ({name} in templates)
  std::vector<json> account_ids;    // account i's id: what {account} renders for args.account == i
};

// A template could not be rendered (a missing argument, an account index out of
// range). check_scenario() rules these out before a scenario runs.
struct RenderError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A rendered header value holds CR, LF or NUL: a value the target returned
// (captured by setup) that cannot go into a header. The request is not sent;
// the executor records the op as fail with error kInvalidHeaderValue.
struct UnsendableRequest : RenderError {
  using RenderError::RenderError;
};
inline constexpr const char* kInvalidHeaderValue = "invalid-header-value";

// Value of a placeholder name, or nullopt when it is unknown.
using PlaceholderLookup = std::function<std::optional<json>(const std::string& name)>;

// Renders a request template against base_url. Placeholders:
//  - a JSON string in the body that is exactly "{name}" becomes the value itself
//    (a number stays a number); inside a longer string it is interpolated as text;
//  - in the path, values are percent-encoded; in headers they are inserted as text;
//  - {secret:NAME} comes from spec.secrets; "{{" / "}}" are literal braces.
// Common spec headers come first; a template header of the same name replaces one.
// Content-Type: application/json is added when there is a body and none is set.
// Throws RenderError naming the placeholder when lookup does not know it, and
// UnsendableRequest naming the header and placeholder when a value would put
// CR, LF or NUL into a header.
HttpRequest render_request(const Spec& spec, const RequestTemplate& request, const std::string& base_url,
                           const PlaceholderLookup& lookup);

// Renders one JSON template value with the body rules above (no secrets: pass
// them through `lookup` if wanted). Throws RenderError for an unknown placeholder.
json render_value(const json& value_template, const PlaceholderLookup& lookup);

// Text form of a value inserted into a longer string: strings as-is, others as JSON.
std::string placeholder_text(const json& value);

class SpecProtocol : public Protocol {
 public:
  // `seed` drives the "random" distribution (deterministic per (client, op_index)).
  SpecProtocol(Spec spec, TrialVariables variables, std::uint64_t seed = 0);

  int instance_count() const override;
  // round-robin: (client + op_index) % n; random: hash(seed, client, op_index) % n;
  // pinned: client % n. Pure: safe to call from any thread, same answer on replay.
  int pick_instance(int client, int op_index) override;
  // The operation's "instance" in the spec, or -1.
  int pinned_instance(const ScenarioOp& op) const override;
  // Throws RenderError for an unknown operation, a missing argument or a bad account index.
  HttpRequest render(const ScenarioOp& op, int instance) const override;
  // First rule matching status AND body wins; none matching: info "unclassified".
  // extracted: each of the op's extract pointers present in a JSON body. A
  // number that a 64-bit integer cannot hold (2^63, 2^64-1, 1e30) is not
  // extracted: the op is info "value-out-of-range: NAME NUMBER" instead, so no
  // checker sees a wrapped or rounded value (the body keeps it as received).
  Classification classify(const ScenarioOp& op, const HttpResponse& response) const override;
  // Operations with "steps": their sequence (harness/op_steps.cpp); nullptr otherwise.
  std::unique_ptr<OpSequence> begin_sequence(const ScenarioOp& op, int instance) const override;
  // Renders `request` for op like render() does; `captured` (name -> value,
  // from earlier steps) comes first, and {a-b} / {a+b} adds or subtracts two
  // integer placeholders.
  HttpRequest render_template(const ScenarioOp& op, const RequestTemplate& request, int instance,
                              const json& captured) const;
  // The lookup render_template uses (for a step's guard operands).
  PlaceholderLookup placeholder_lookup(const ScenarioOp& op, const json& captured) const;

  const Spec& spec() const { return spec_; }
  const TrialVariables& variables() const { return variables_; }

 private:
  Spec spec_;
  TrialVariables variables_;
  std::uint64_t seed_;
};

// Throws ScenarioError (pointer into the scenario JSON) when the scenario cannot
// run against this spec: unknown operation, missing or non-integer argument the
// template needs, account index outside [0, account_count), instance outside the
// base URLs.
void check_scenario(const Spec& spec, const Scenario& scenario, int account_count);

}  // namespace racecheck
