#include "harness/trial_setup.h"

#include "util/bounded_json.h"

#include <ctime>

#include "harness/http_client.h"
#include "properties/models.h"
#include "reports/redact.h"

namespace racecheck {

namespace {

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Secrets, and the password of a URL such as --target http://user:password@host.
std::string mask_secrets(std::string text, const Spec& spec) {
  text = redact_url_userinfo(text);
  for (const auto& secret : spec.secret_values()) {
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 8)) {
      text.replace(at, secret.size(), "[secret]");
    }
  }
  return text;
}

std::string excerpt(const std::string& body) {
  constexpr std::size_t kMax = 200;
  std::string shown = body.size() > kMax ? body.substr(0, kMax) + "..." : body;
  for (char& c : shown) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return shown.empty() ? "(empty)" : shown;
}

std::string describe_status_set(const StatusSet& set) {
  std::string out;
  for (const auto& [lo, hi] : set.ranges) {
    if (!out.empty()) out += ", ";
    out += lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
  }
  return out;
}

class SetupRunner {
 public:
  SetupRunner(const Spec& spec, const SequentialOptions& options) : spec_(spec), options_(options) {}

  std::int64_t now() const { return options_.clock_ns ? options_.clock_ns() : monotonic_ns(); }

  [[noreturn]] void fail(const std::string& step, const std::string& url, const std::string& problem) const {
    throw SetupError(step, mask_secrets(url, spec_), mask_secrets(problem, spec_));
  }

  // Sends one setup request and stores its captures in *captured.
  void run(const SetupRequest& setup, const std::string& step, const PlaceholderLookup& lookup, json* captured) const {
    const std::string& base_url = spec_.base_urls.at(static_cast<std::size_t>(options_.instance));
    HttpRequest request;
    try {
      request = render_request(spec_, setup.request, base_url, lookup);
    } catch (const RenderError& e) {
      fail(step, base_url + setup.request.path, e.what());
    }
    HttpResponse response = http_call(request, spec_.request_timeout_ms, spec_.max_body_bytes, spec_.transport);
    const std::string where = request.method + " " + request.url;
    if (!response.transport_error.empty()) fail(step, where, response.transport_detail);
    if (!setup.expect_status.contains(response.status)) {
      fail(step, where, "status " + std::to_string(response.status) + " (expected " +
                            describe_status_set(setup.expect_status) + "), body: " + excerpt(response.body));
    }
    if (setup.capture.empty()) return;
    json body = parse_bounded_json(response.body);
    if (body.is_discarded()) {
      fail(step, where, "the response body is not JSON, so nothing can be captured from it: " + excerpt(response.body));
    }
    for (const auto& [name, pointer] : setup.capture) {
      json::json_pointer ptr(pointer);
      if (!body.contains(ptr)) {
        fail(step, where, "no " + (pointer.empty() ? std::string("body") : pointer) + " in the response to capture as {" +
                              name + "}: " + excerpt(response.body));
      }
      (*captured)[name] = body.at(ptr);
    }
  }

 private:
  const Spec& spec_;
  const SequentialOptions& options_;
};

std::string setup_step_name(const std::string& prefix, std::size_t i, const SetupRequest& s) {
  std::string step = prefix + "setup #" + std::to_string(i);
  if (s.name != "#" + std::to_string(i)) step += " (" + s.name + ")";
  return step;
}

}  // namespace

SetupError::SetupError(std::string step_, std::string url_, std::string problem_)
    : std::runtime_error(step_ + ": " + url_ + ": " + problem_),
      step(std::move(step_)), url(std::move(url_)), problem(std::move(problem_)) {}

TrialSetupResult run_trial_setup(const Spec& spec, int account_count, HistorySink* sink,
                                 const SequentialOptions& options,
                                 const std::vector<std::int64_t>& initial_balances) {
  if (options.instance < 0 || options.instance >= static_cast<int>(spec.base_urls.size())) {
    throw SetupError("setup", "", "instance " + std::to_string(options.instance) + " is not one of the base URLs");
  }
  SetupRunner runner(spec, options);
  TrialSetupResult result;
  json& globals = result.variables.variables;
  // Only a model with an initial state hears of it (account: "open" ops).
  const Model* model = find_model(spec.model);
  const std::optional<InitialState> initial = model != nullptr ? model->initial_state() : std::nullopt;

  for (std::size_t i = 0; i < spec.setup.size(); ++i) {
    PlaceholderLookup lookup = [&](const std::string& name) -> std::optional<json> {
      if (globals.contains(name)) return globals[name];
      return std::nullopt;
    };
    runner.run(spec.setup[i], setup_step_name("", i, spec.setup[i]), lookup, &globals);
  }

  for (int a = 0; a < account_count; ++a) {
    const std::int64_t requested = static_cast<std::size_t>(a) < initial_balances.size()
                                       ? initial_balances[static_cast<std::size_t>(a)]
                                       : spec.accounts.initial_balance;
    json account_vars = json::object();
    PlaceholderLookup lookup = [&](const std::string& name) -> std::optional<json> {
      if (name == "index") return json(a);
      if (name == "initial_balance") return json(requested);
      if (account_vars.contains(name)) return account_vars[name];
      if (globals.contains(name)) return globals[name];
      return std::nullopt;
    };
    const std::int64_t invoke_ns = runner.now();
    const std::string prefix = "account " + std::to_string(a) + " ";
    for (std::size_t i = 0; i < spec.accounts.setup.size(); ++i) {
      runner.run(spec.accounts.setup[i], setup_step_name(prefix, i, spec.accounts.setup[i]), lookup, &account_vars);
    }
    json id;
    try {
      id = render_value(json(spec.accounts.id), lookup);
    } catch (const RenderError& e) {
      throw SetupError(prefix + "id", spec.base_urls[static_cast<std::size_t>(options.instance)], e.what());
    }
    std::int64_t balance = requested;
    if (!spec.accounts.balance_variable.empty()) {
      const json& captured = account_vars[spec.accounts.balance_variable];
      // An unsigned number above INT64_MAX would read back as a negative balance.
      const bool fits = captured.is_number_integer() &&
                        !(captured.is_number_unsigned() &&
                          captured.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX));
      if (!fits) {
        throw SetupError(prefix + "balance", spec.base_urls[static_cast<std::size_t>(options.instance)],
                         "captured {" + spec.accounts.balance_variable + "} is " + captured.dump() +
                             (captured.is_number_integer() ? ", beyond a 64-bit signed balance"
                                                           : ", not an integer balance"));
      }
      balance = captured.get<std::int64_t>();
    }
    result.variables.account_ids.push_back(id);
    result.initial_balances.push_back(balance);
    result.account_variables.push_back(account_vars);

    if (sink != nullptr && initial) {
      Event invoke;
      invoke.process = options.process;
      invoke.type = EventType::Invoke;
      invoke.f = initial->op;
      invoke.value = {{initial->key_field, a}, {initial->value_field, balance}};
      invoke.instance = options.instance;
      invoke.time_ns = invoke_ns;
      Event ok = invoke;
      ok.type = EventType::Ok;
      ok.time_ns = runner.now();
      sink->append(std::move(invoke));
      sink->append(std::move(ok));
    }
  }
  return result;
}

FinalReadResult run_final_read(const Spec& spec, const SpecProtocol& protocol, int account_count, HistorySink* sink,
                               const SequentialOptions& options) {
  if (spec.final_read.empty()) {
    throw SetupError("final read", "", "the spec has no final read operation (/final_read)");
  }
  FinalReadResult result;
  SetupRunner runner(spec, options);
  const Model* model = find_model(spec.model);
  // A ledger model's final read must say the balance; any other model's read
  // is checked like every other op.
  const bool needs_balance = model == nullptr || model->ledger().has_value();
  for (int a = 0; a < account_count; ++a) {
    ScenarioOp op;
    op.f = spec.final_read;
    op.args = {{"account", a}};
    const std::string label = "account " + std::to_string(a);

    Event invoke;
    invoke.process = options.process;
    invoke.type = EventType::Invoke;
    invoke.f = op.f;
    invoke.value = op.args;
    invoke.instance = spec.final_read_instance;

    HttpRequest request;
    try {
      request = protocol.render(op, spec.final_read_instance);
    } catch (const RenderError& e) {
      // Nothing was sent: no event either.
      result.balances.push_back(std::nullopt);
      result.classifications.push_back(Classification{Outcome::Info, "render-error", json::object()});
      result.problems.push_back(label + ": " + e.what());
      continue;
    }
    invoke.time_ns = runner.now();
    if (sink != nullptr) sink->append(invoke);
    HttpResponse response = http_call(request, spec.request_timeout_ms, spec.max_body_bytes, spec.transport);

    Event done = invoke;
    done.time_ns = runner.now();
    done.status = response.status;
    done.body = response.body;
    done.body_truncated = response.body_truncated;
    Classification c;
    if (!response.transport_error.empty()) {
      c.outcome = Outcome::Info;
      c.error = response.transport_error;
    } else {
      c = protocol.classify(op, response);
    }
    done.type = c.outcome == Outcome::Ok ? EventType::Ok : c.outcome == Outcome::Fail ? EventType::Fail : EventType::Info;
    done.error = c.error;
    done.value = op.args;
    for (const auto& item : c.extracted.items()) done.value[item.key()] = item.value();
    if (sink != nullptr) sink->append(done);

    std::optional<std::int64_t> balance;
    if (c.outcome == Outcome::Ok && c.extracted.contains("balance") && c.extracted["balance"].is_number_integer()) {
      balance = c.extracted["balance"].get<std::int64_t>();
    }
    if (!balance && (needs_balance || c.outcome != Outcome::Ok)) {
      std::string what = !response.transport_error.empty() ? response.transport_detail
                         : c.outcome != Outcome::Ok
                             ? std::string(to_string(c.outcome)) + " \"" + c.error + "\" (status " +
                                   std::to_string(response.status) + ")"
                             : "no integer \"balance\" extracted from " + excerpt(response.body);
      result.problems.push_back(mask_secrets(label + ": " + request.method + " " + request.url + ": " + what, spec));
    }
    result.balances.push_back(balance);
    result.classifications.push_back(std::move(c));
  }
  return result;
}

}  // namespace racecheck
