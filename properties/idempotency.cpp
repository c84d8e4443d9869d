#include "properties/idempotency.h"

#include "util/bounded_json.h"

#include <algorithm>
#include <chrono>
#include <map>

namespace racecheck {
namespace {

json without_volatile(json j, const std::vector<std::string>& volatile_fields) {
  for (const auto& ptr_text : volatile_fields) {
    const json::json_pointer ptr(ptr_text);  // validated by the caller
    if (ptr.empty() || !j.contains(ptr)) continue;
    json& parent = j.at(ptr.parent_pointer());
    if (parent.is_object()) parent.erase(ptr.back());
    else if (parent.is_array()) parent.at(std::stoul(ptr.back())) = nullptr;  // keep later indices stable
  }
  return j;
}

bool same_payload(const Operation& a, const Operation& b) { return a.f == b.f && a.input == b.input; }

std::string response_text(const Operation& op) {
  std::string s;
  if (op.status) s = std::to_string(op.status);
  else s = std::string(to_string(op.outcome));
  if (!op.error.empty()) s += " " + op.error;
  if (!op.body.empty()) {
    std::string body = op.body.size() > 80 ? op.body.substr(0, 77) + "..." : op.body;
    s += " " + body;
  } else if (op.outcome == Outcome::Ok && !op.output.is_null()) {
    s += " " + op.output.dump();
  }
  return s;
}

// Attempts of one key that are real responses to compare: completed, and not a
// refusal saying the request never ran.
bool replayable_response(const Operation& op, const std::vector<std::string>& not_executed_errors) {
  return op.outcome != Outcome::Info && !did_not_run(op, not_executed_errors);
}

bool earlier_ret(const Operation& a, const Operation& b) {
  return a.ret != b.ret ? a.ret < b.ret : a.id < b.id;
}

}  // namespace

const std::vector<std::string>& default_not_executed_errors() {
  static const std::vector<std::string> labels = {"busy", "key-in-flight", "key-reused", "rate-limited"};
  return labels;
}

bool did_not_run(const Operation& op, const std::vector<std::string>& not_executed_errors) {
  return op.outcome == Outcome::Fail &&
         std::find(not_executed_errors.begin(), not_executed_errors.end(), op.error) != not_executed_errors.end();
}

std::string normalized_response(const Operation& op, const std::vector<std::string>& volatile_fields) {
  if (op.status != 0 || !op.body.empty()) {
    json body = parse_bounded_json(op.body);
    const std::string shown = body.is_discarded() ? op.body : without_volatile(std::move(body), volatile_fields).dump();
    return std::to_string(op.status) + " " + shown;
  }
  return std::string(to_string(op.outcome)) + " " + without_volatile(op.output, volatile_fields).dump() + " " + op.error;
}

CollapsedHistory collapse_idempotent(const std::vector<Operation>& ops,
                                     const std::vector<std::string>& volatile_fields,
                                     const std::vector<std::string>& not_executed_errors) {
  auto did_not_run = [&](const Operation& op) { return racecheck::did_not_run(op, not_executed_errors); };
  // Group each key's attempts: those with the first attempt's payload together; a
  // different payload alone, unless it is a verbatim replay of an ok response.
  std::vector<std::vector<int>> groups;
  std::vector<int> group_of(ops.size(), -1);
  std::map<std::string, int> group_of_key;  // key -> group of its original payload
  for (const auto& op : ops) {
    if (op.key.empty()) {
      group_of[op.id] = static_cast<int>(groups.size());
      groups.push_back({op.id});
      continue;
    }
    auto [it, first] = group_of_key.try_emplace(op.key, static_cast<int>(groups.size()));
    if (first) {
      group_of[op.id] = it->second;
      groups.push_back({op.id});
      continue;
    }
    if (same_payload(ops[groups[it->second].front()], op)) {
      groups[it->second].push_back(op.id);
      group_of[op.id] = it->second;
    } else {
      group_of[op.id] = static_cast<int>(groups.size());
      groups.push_back({op.id});
    }
  }
  // Verbatim replays of a reused key join the original's group.
  for (const auto& op : ops) {
    if (op.key.empty() || op.outcome != Outcome::Ok) continue;
    const int original = group_of_key.at(op.key);
    if (group_of[op.id] == original) continue;
    const std::string mine = normalized_response(op, volatile_fields);
    for (int other : groups[original]) {
      if (ops[other].outcome == Outcome::Ok && normalized_response(ops[other], volatile_fields) == mine) {
        groups[group_of[op.id]].clear();
        groups[original].push_back(op.id);
        group_of[op.id] = original;
        break;
      }
    }
  }
  std::erase_if(groups, [](const std::vector<int>& g) { return g.empty(); });
  for (auto& g : groups) std::sort(g.begin(), g.end());
  std::sort(groups.begin(), groups.end());  // by first invoke: original ids are in invoke order

  CollapsedHistory out;
  out.logical_of.assign(ops.size(), -1);
  for (const auto& g : groups) {
    const int id = static_cast<int>(out.ops.size());
    Operation logical = ops[g.front()];
    logical.id = id;
    logical.attempt = static_cast<int>(g.size());
    for (int m : g) {
      out.logical_of[m] = id;
      logical.call = std::min(logical.call, ops[m].call);
    }
    // The attempt that decides the logical op's outcome.
    const Operation* decider = nullptr;
    for (int m : g)
      if (ops[m].outcome == Outcome::Ok && (!decider || earlier_ret(ops[m], *decider))) decider = &ops[m];
    if (!decider)
      for (int m : g)
        if (ops[m].outcome == Outcome::Info && (!decider || ops[m].id < decider->id)) decider = &ops[m];
    if (!decider) {
      for (int m : g)  // all failed: prefer a refusal that says something about the state
        if (!did_not_run(ops[m]) && (!decider || earlier_ret(ops[m], *decider))) decider = &ops[m];
      for (int m : g)
        if (!decider || (did_not_run(*decider) && earlier_ret(ops[m], *decider))) decider = &ops[m];
    }
    logical.outcome = decider->outcome;
    logical.output = decider->output;
    logical.error = decider->error;
    logical.ret = decider->ret;
    logical.status = decider->status;
    logical.body = decider->body;
    logical.instance = decider->instance;
    logical.complete_event = decider->complete_event;
    // A reused key refused with 422 and no reason given: say why, so models do not
    // read it as a business refusal.
    if (logical.outcome == Outcome::Fail && logical.error.empty() && logical.status == 422)
      logical.error = "key-reused";
    out.ops.push_back(std::move(logical));
    out.members.push_back(g);
  }
  return out;
}

InvariantVerdict check_idempotency(const std::vector<Operation>& ops, const IdempotencyOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  InvariantVerdict v;
  v.invariant = "idempotency";
  for (const auto& ptr : options.volatile_fields) {
    try {
      (void)json::json_pointer(ptr);
    } catch (const json::exception&) {
      throw std::invalid_argument("volatile field '" + ptr + "' is not a JSON pointer (it must start with '/')");
    }
  }

  std::map<std::string, std::vector<int>> by_key;  // ordered: stable output
  for (const auto& op : ops)
    if (!op.key.empty()) by_key[op.key].push_back(op.id);

  auto add = [&](Severity severity, const char* kind, std::string text, std::vector<int> ids) {
    Violation x;
    x.invariant = "idempotency";
    x.kind = kind;
    x.severity = severity;
    x.explanation = std::move(text);
    std::sort(ids.begin(), ids.end());
    x.ops = std::move(ids);
    v.violations.push_back(std::move(x));
  };
  auto norm = [&](const Operation& op) { return normalized_response(op, options.volatile_fields); };
  auto not_run = [&](const Operation& op) { return did_not_run(op, options.not_executed_errors); };
  const Severity refusal_replay = options.replay_refusals ? Severity::Must : Severity::Should;
  const std::string relaxed = options.replay_refusals ? "" : " (the spec relaxes this: replay_refusals is false)";

  int repeated_keys = 0;
  for (const auto& entry : by_key) {
    // Named, not a structured binding: the lambdas below capture the key, and
    // clang 14 (the sanitizer build) refuses to capture a structured binding.
    const std::string& key = entry.first;
    const auto& ids = entry.second;
    if (ids.size() > 1) ++repeated_keys;
    const Operation& original = ops[ids.front()];
    std::vector<const Operation*> responses;  // same payload, completed responses, by completion
    std::vector<const Operation*> reused;     // different payload
    for (int id : ids) {
      const Operation& op = ops[id];
      if (op.outcome == Outcome::Fail && op.error == "key-in-flight" && op.status != 0 && op.status != 409)
        add(Severity::Should, "in-flight-status",
            "key '" + key + "': op " + std::to_string(op.id) + " was refused as in flight with status " +
                std::to_string(op.status) + "; the draft asks for 409 Conflict",
            {op.id});
      if (!same_payload(original, op)) reused.push_back(&op);
      else if (replayable_response(op, options.not_executed_errors)) responses.push_back(&op);
    }
    std::sort(responses.begin(), responses.end(),
              [](const Operation* a, const Operation* b) { return earlier_ret(*a, *b); });
    // Every later completed response is compared with the first (refusals must be
    // replayed) and with the first success (a success must be replayed even when
    // a refusal came before it, so that relaxing refusal replay never hides a
    // double execution).
    const Operation* first_ok = nullptr;
    for (const Operation* r : responses)
      if (r->outcome == Outcome::Ok) {
        first_ok = r;
        break;
      }
    auto compare = [&](const Operation& first, const Operation& later) {
      if (norm(later) == norm(first)) return;
      const std::string pair = " (op " + std::to_string(first.id) + ": " + response_text(first) + "; op " +
                               std::to_string(later.id) + ": " + response_text(later) + ")";
      if (first.outcome == Outcome::Ok && later.outcome == Outcome::Ok)
        add(Severity::Must, "double-execution",
            "key '" + key + "' got two different successful responses: it was executed twice" + pair,
            {first.id, later.id});
      else if (first.outcome == Outcome::Ok)
        add(Severity::Must, "success-not-replayed",
            "key '" + key + "' succeeded, then a retry was refused instead of replaying the success: "
            "the retry ran again" + pair,
            {first.id, later.id});
      else if (later.outcome == Outcome::Ok)
        add(refusal_replay, "refusal-not-replayed",
            "key '" + key + "' was refused (" + (first.error.empty() ? "a business refusal" : first.error) +
                "), then a retry with the same key ran and succeeded: a completed response, refusals "
                "included, must be replayed to every retry" + relaxed + pair,
            {first.id, later.id});
      else
        add(refusal_replay, "refusal-not-replayed",
            "key '" + key + "' got two different refusals: the first refusal was not replayed" + relaxed + pair,
            {first.id, later.id});
    };
    for (std::size_t i = 1; i < responses.size(); ++i) {
      compare(*responses.front(), *responses[i]);
      if (first_ok && first_ok != responses.front() && responses[i] != first_ok &&
          earlier_ret(*first_ok, *responses[i]))
        compare(*first_ok, *responses[i]);
    }
    for (const Operation* r : reused) {
      const std::string what = "key '" + key + "' was reused by op " + std::to_string(r->id) + " with a different payload (" +
                               r->f + " " + r->input.dump() + " instead of " + original.f + " " +
                               original.input.dump() + ")";
      const bool evaluated = r->outcome == Outcome::Ok || (r->outcome == Outcome::Fail && !not_run(*r));
      if (evaluated) {
        // The original payload's own completed response, replayed: nothing ran
        // again, but the draft asks for a key-misuse refusal.
        const bool replayed = std::any_of(responses.begin(), responses.end(),
                                          [&](const Operation* o) { return norm(*o) == norm(*r); });
        if (replayed)
          add(Severity::Should, "reused-key-replayed",
              what + " and got the original's response replayed; the draft asks for 422", {original.id, r->id});
        else
          add(Severity::Must, "different-payload-evaluated",
              what + " and the service evaluated the new payload (" + response_text(*r) +
                  ") instead of refusing the reused key (422)",
              {original.id, r->id});
      } else if (r->outcome == Outcome::Fail && r->status != 0 && r->status != 422) {
        add(Severity::Should, "reused-key-status",
            what + " and was refused with status " + std::to_string(r->status) + "; the draft asks for 422",
            {original.id, r->id});
      }
    }
  }

  if (by_key.empty()) {
    v.status = Status::Skipped;
    v.summary = "no operation carries an idempotency key";
  } else {
    v.status = status_for(v.violations);
    std::vector<std::string> seen;
    std::string kinds;  // "double-execution, refusal-not-replayed"
    for (const auto& x : v.violations) {
      if (std::find(seen.begin(), seen.end(), x.kind) != seen.end()) continue;
      seen.push_back(x.kind);
      kinds += (kinds.empty() ? "" : ", ") + x.kind;
    }
    v.summary = std::to_string(by_key.size()) + " keys (" + std::to_string(repeated_keys) + " retried or duplicated): ";
    if (v.status == Status::Pass)
      v.summary += "every key answered consistently";
    else if (v.status == Status::Fail)
      v.summary += std::to_string(v.violations.size()) + " problem(s) (" + kinds + "), at least one breaking a MUST rule";
    else
      v.summary += std::to_string(v.violations.size()) + " SHOULD-level deviation(s) (" + kinds +
                   "), not failing the gate";
  }
  v.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return v;
}

}  // namespace racecheck
