#include "harness/op_steps.h"

#include <cctype>

#include "harness/conversions.h"
#include "util/bounded_json.h"
#include "util/text.h"

namespace racecheck {

std::vector<ArithmeticPlaceholder> arithmetic_splits(const std::string& name) {
  std::vector<ArithmeticPlaceholder> out;
  for (std::size_t i = 1; i + 1 < name.size(); ++i) {
    if (name[i] == '-' || name[i] == '+') out.push_back({name.substr(0, i), name[i], name.substr(i + 1)});
  }
  return out;
}

std::optional<std::int64_t> integer_of(const json& value) {
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return value.get<std::int64_t>();
  }
  if (!value.is_string()) return std::nullopt;
  return parse_int64(value.get_ref<const std::string&>());
}

PlaceholderLookup with_integer_arithmetic(PlaceholderLookup lookup) {
  return [lookup = std::move(lookup)](const std::string& name) -> std::optional<json> {
    if (std::optional<json> direct = lookup(name)) return direct;
    for (const ArithmeticPlaceholder& split : arithmetic_splits(name)) {
      std::optional<json> left = lookup(split.left);
      std::optional<json> right = lookup(split.right);
      if (!left || !right) continue;
      const std::optional<std::int64_t> a = integer_of(*left), b = integer_of(*right);
      if (!a || !b) {
        throw RenderError("{" + name + "}: {" + (a ? split.right : split.left) + "} is not an integer: " +
                          (a ? *right : *left).dump());
      }
      try {
        return json(checked_arithmetic(*a, split.sign, *b));
      } catch (const ConversionError& e) {
        throw RenderError("{" + name + "}: " + e.what());
      }
    }
    return std::nullopt;
  };
}

std::string url_path(const std::string& url) {
  const std::size_t scheme = url.find("://");
  const std::size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

namespace {

const std::pair<std::string, std::string>* find_header(const Headers& headers, const std::string& name) {
  const std::string wanted = lower(name);
  for (const auto& header : headers) {
    if (lower(header.first) == wanted) return &header;
  }
  return nullptr;
}

// One attempt of an operation with steps: the steps in order, from the first
// again when a response has a conflict status and rounds are left.
class StepSequence : public OpSequence {
 public:
  StepSequence(const SpecProtocol& protocol, const OperationSpec& spec_op, const ScenarioOp& op, int instance)
      : protocol_(protocol), spec_op_(spec_op), op_(op), instance_(instance) {}

  SequenceAction start() override { return advance(); }

  SequenceAction on_response(const HttpResponse& response) override {
    const OperationStep& step = spec_op_.steps[step_];
    if (spec_op_.conflict.status.contains(response.status) && round_ < spec_op_.conflict.max_attempts) {
      ++round_;
      step_ = 0;
      captured_ = json::object();
      return advance();
    }
    const bool last = step_ + 1 == spec_op_.steps.size();
    if (last || !step.expect_status.contains(response.status)) return judged(protocol_.classify(op_, response));
    std::optional<json> parsed;
    for (const StepCapture& capture : step.capture) {
      std::optional<json> value;
      if (!capture.header.empty()) {
        if (const auto* header = find_header(response.headers, capture.header)) value = json(header->second);
      } else {
        if (!parsed) parsed = parse_bounded_json(response.body);
        json::json_pointer pointer(capture.pointer);
        if (!parsed->is_discarded() && parsed->contains(pointer)) value = parsed->at(pointer);
      }
      if (!value) {
        Classification missing;
        missing.outcome = Outcome::Info;
        missing.error = "capture-failed: " + capture.name;
        return judged(std::move(missing));
      }
      captured_[capture.name] = std::move(*value);
    }
    ++step_;
    return advance();
  }

 private:
  SequenceAction judged(Classification result) const {
    SequenceAction action;
    action.result = std::move(result);
    action.judged_response = true;
    action.round = round_;
    return action;
  }

  SequenceAction finish(Outcome outcome, std::string error) const {
    SequenceAction action;
    action.result.outcome = outcome;
    action.result.error = std::move(error);
    action.round = round_;
    return action;
  }

  // Runs guard steps from step_ on and renders the next request.
  SequenceAction advance() {
    for (; step_ < spec_op_.steps.size(); ++step_) {
      const OperationStep& step = spec_op_.steps[step_];
      if (step.guard) {
        if (std::optional<SequenceAction> refused = check_guard(*step.guard)) return *refused;
        continue;
      }
      SequenceAction action;
      action.send = true;
      action.step = static_cast<int>(step_);
      action.round = round_;
      action.last_step = step_ + 1 == spec_op_.steps.size();
      try {
        action.request = protocol_.render_template(op_, *step.request, instance_, captured_);
      } catch (const UnsendableRequest& e) {
        return finish(Outcome::Fail, e.what());  // nothing of this step went out
      }
      return action;
    }
    return finish(Outcome::Info, "unclassified");  // the parser rules out a sequence ending in a guard
  }

  std::optional<SequenceAction> check_guard(const StepGuard& guard) const {
    const PlaceholderLookup lookup = protocol_.placeholder_lookup(op_, captured_);
    const json left = render_value(guard.left, lookup);
    const json right = render_value(guard.right, lookup);
    bool refuse = false;
    if (guard.comparison == "equal") {
      refuse = left == right;
    } else {
      const std::optional<std::int64_t> a = integer_of(left), b = integer_of(right);
      if (!a || !b) {
        return finish(Outcome::Info, "guard-not-integer: " + (a ? right : left).dump());
      }
      refuse = guard.comparison == "less" ? *a < *b : *a > *b;
    }
    if (!refuse) return std::nullopt;
    return finish(Outcome::Fail, guard.error);
  }

  const SpecProtocol& protocol_;
  const OperationSpec& spec_op_;
  const ScenarioOp& op_;
  int instance_;
  std::size_t step_ = 0;
  int round_ = 1;
  json captured_ = json::object();
};

}  // namespace

std::unique_ptr<OpSequence> SpecProtocol::begin_sequence(const ScenarioOp& op, int instance) const {
  const OperationSpec* spec_op = spec_.find_operation(op.f);
  if (spec_op == nullptr || spec_op->steps.empty()) return nullptr;
  return std::make_unique<StepSequence>(*this, *spec_op, op, instance);
}

}  // namespace racecheck
