// The spec loader's reader, shared by its files: spec.cpp (helpers, the public
// functions), spec_values.cpp (one JSON value of a given kind: a string, a
// status set, a request template, an operation) and spec_sections.cpp (one
// function per top-level section, and the checks across sections). Not for use
// outside harness/spec*.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "harness/spec.h"
#include "util/text.h"

namespace racecheck::spec_reading {

// A classification pattern is a few words; 1000 characters keep the regex
// compiler's recursion (one level per term and per group) far from the stack's end.
constexpr std::size_t kMaxRegexLength = 1000;

// Argument and variable names with a meaning of their own in templates.
inline const std::vector<std::string> kReservedNames = {"key", "account", "amount", "index", "initial_balance"};

std::string format_spec_error(const std::string& file, const std::string& pointer, const std::string& reason);
std::string escape_pointer_token(const std::string& token);
std::string child(const std::string& pointer, const std::string& key);
std::string child(const std::string& pointer, std::size_t index);
bool contains(const std::vector<std::string>& items, const std::string& item);
// Checks a base URL and drops trailing slashes; returns the problem, if any.
// Port 0 is allowed in a spec, where it marks a URL that --target replaces.
std::optional<std::string> normalize_base_url(std::string* url, bool allow_port_zero = true);

// Validates one spec; `file` prefixes every error.
class SpecReader {
 public:
  explicit SpecReader(std::string file) : file_(std::move(file)) {}
  [[noreturn]] void fail(const std::string& pointer, const std::string& reason) const {
    throw SpecError(file_, pointer, reason);
  }
  void warn(Spec* spec, const std::string& pointer, const std::string& reason) const {
    spec->warnings.push_back(format_spec_error(file_, pointer, reason));
  }

  void expect_object(const json& j, const std::string& pointer) const;

  void check_keys(const json& j, const std::string& pointer,
                  const std::vector<std::string>& allowed) const;

  std::string string_value(const json& j, const std::string& pointer, bool allow_empty = false) const;

  std::int64_t integer_value(const json& j, const std::string& pointer, std::int64_t lo,
                             std::int64_t hi) const;

  double number_value(const json& j, const std::string& pointer, double lo, double hi,
                      const std::string& want) const;

  bool bool_value(const json& j, const std::string& pointer) const;

  // A JSON pointer written in the spec ("" = whole document, else starts with '/').
  std::string json_pointer_value(const json& j, const std::string& pointer) const;

  // A status (100-599), a list of statuses, or a range [lo, hi].
  StatusSet status_value(const json& j, const std::string& pointer) const;

  Range range_value(const json& j, const std::string& pointer, std::int64_t lo, std::int64_t hi) const;

  // `known`: captured variables, so that a variable named "a-b" is not read as a minus b.
  std::vector<std::string> placeholders_of(const std::string& text, const std::string& pointer,
                                           const std::set<std::string>* known = nullptr) const;

  // Collects the placeholders of a JSON body template with their pointers.
  void body_placeholders(const json& body, const std::string& pointer,
                         std::vector<std::pair<std::string, std::string>>* out,
                         const std::set<std::string>* known = nullptr) const;

  std::vector<std::pair<std::string, std::string>> headers_value(const json& j, const std::string& pointer) const;

  RequestTemplate request_value(const json& j, const std::string& pointer) const;

  // Placeholders of a request template, each with the pointer where it appears.
  std::vector<std::pair<std::string, std::string>> request_placeholders(const RequestTemplate& r,
                                                                       const std::string& pointer,
                                                                       const std::set<std::string>* known = nullptr) const;

  // "form", "raw" and "query" of a request template (harness/spec_arguments.cpp).
  void read_body_encodings(const json& j, const std::string& pointer, RequestTemplate* r) const;

  // An extraction: "/pointer" or {"pointer"|"header", "convert": [...]}.
  Extraction extraction_value(const json& j, const std::string& pointer) const;

  // One declared argument's domain, and the top-level "arguments" object.
  ArgumentSpec argument_value(const json& j, const std::string& pointer) const;
  void read_arguments(const json& j, Spec& spec) const;

  void check_secret_placeholder(const std::string& name, const std::string& pointer, const Spec& spec) const;

  std::vector<std::pair<std::string, std::string>> capture_value(const json& j, const std::string& pointer) const;

  void check_argument_name(const std::string& name, const std::string& pointer) const;

  void check_variable_name(const std::string& name, const std::string& pointer) const;

  // `known` holds the variables defined so far; each request adds its captures.
  std::vector<SetupRequest> setup_list(const json& j, const std::string& pointer, const Spec& spec,
                                       std::set<std::string>* known,
                                       const std::vector<std::string>& extra_placeholders) const;

  BodyMatcher body_matcher(const json& j, const std::string& pointer) const;

  ClassifyRule classify_rule(const json& j, const std::string& pointer) const;

  // "idempotency": "required" | "optional" | "none"; default none for the methods
  // that are idempotent by HTTP semantics, optional otherwise.
  void operation_idempotency(const json& j, const std::string& pointer, OperationSpec* op) const;

  // "idempotency_key": {"template": "...", "max_length": N} or {"format": "uuid"}.
  IdempotencyKeySpec idempotency_key(const json& j, const std::string& pointer) const;

  OperationSpec operation(const std::string& name, const json& j, const std::string& pointer, const Spec& spec,
                          const std::set<std::string>& variables) const;

  std::vector<std::pair<std::string, double>> weights_value(const json& j, const std::string& pointer,
                                                           const std::vector<std::string>& allowed) const;

  GeneratorSpec generator(const json& j, const std::string& pointer, const Spec& spec) const;
  HostileSpec hostile_value(const json& j, const std::string& pointer, const Spec& spec) const;

  Spec spec(const json& j) const;

  // Which operations take keys, and whether the key policies can apply to them.
  void lint_idempotency(const json& j, Spec* spec) const;

  // Operations that never name an account while the model tracks accounts.
  void lint_accounts(const json& j, Spec* spec) const;

 private:
  // One per top-level section of the spec, in the order spec() reads them.
  void read_base_urls(const json& j, Spec& spec) const;
  void read_request(const json& j, Spec& spec) const;
  void read_transport(const json& j, Spec& spec) const;
  void read_secrets(const json& j, Spec& spec) const;
  void read_headers(const json& j, Spec& spec) const;
  void read_accounts(const json& j, Spec& spec, const std::set<std::string>& variables) const;
  void read_operations(const json& j, Spec& spec, const std::set<std::string>& variables) const;
  void read_final_read(const json& j, Spec& spec) const;
  void operation_mapping(const json& j, const std::string& pointer, const Spec& spec, OperationSpec* op) const;
  void check_model_operations(const Spec& spec) const;
  void read_invariants(const json& j, Spec& spec) const;
  // "money" (spec_money.cpp), after "arguments" and "model".
  void read_money(const json& j, Spec& spec) const;

  // "idempotency": {"not_executed": ["key-in-flight", ...], "replay_refusals": true}
  IdempotencySpec idempotency(const json& j, const Spec& spec) const;

  std::string file_;
};

}  // namespace racecheck::spec_reading
