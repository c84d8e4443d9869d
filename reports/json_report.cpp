// The versioned JSON result: what `racecheck replay` reads back.
#include <algorithm>

#include "reports/redact.h"
#include "reports/reports.h"

namespace racecheck {

using nlohmann::json;

ResultFormatError::ResultFormatError(std::string pointer_, std::string reason_)
    : std::runtime_error("result JSON " + (pointer_.empty() ? std::string("/") : pointer_) + ": " + reason_),
      pointer(std::move(pointer_)),
      reason(std::move(reason_)) {}

namespace {

json violation_to_json(const Violation& v) {
  return {{"invariant", v.invariant},
          {"kind", v.kind},
          {"severity", std::string(to_string(v.severity))},
          {"explanation", v.explanation},
          {"ops", v.ops},
          {"linearized_prefix", v.linearized_prefix},
          {"prefix_states", v.prefix_states},
          {"unplaceable_op", v.unplaceable_op}};
}

json verdict_to_json(const InvariantVerdict& v) {
  json violations = json::array();
  for (const auto& x : v.violations) violations.push_back(violation_to_json(x));
  return {{"invariant", v.invariant},
          {"status", std::string(to_string(effective_status(v)))},
          {"summary", v.summary},
          {"elapsed_ms", v.elapsed_ms},
          {"violations", violations}};
}

json stats_to_json(const RunStats& s) {
  const auto& l = s.latencies_ms;
  json invariants = json::object();
  for (const auto& [name, t] : s.invariants)
    invariants[name] = {{"trials", t.trials}, {"pass", t.pass},       {"warn", t.warn}, {"fail", t.fail},
                        {"unknown", t.unknown}, {"skipped", t.skipped}, {"ops", t.ops}};
  return {{"trials", s.trials},
          {"requests", s.requests},
          {"elapsed_s", s.elapsed_s},
          {"first_violation_s", s.first_violation_s},
          {"throughput_rps", s.elapsed_s > 0 ? static_cast<double>(s.requests) / s.elapsed_s : 0.0},
          {"latency_ms",
           {{"count", l.size()},
            {"p50", percentile(l, 50)},
            {"p90", percentile(l, 90)},
            {"p99", percentile(l, 99)},
            {"max", l.empty() ? 0.0 : *std::max_element(l.begin(), l.end())}}},
          {"outcomes_by_op", s.outcomes_by_op},
          {"invariants", invariants}};
}

// Typed access that names the JSON pointer of a missing or mistyped field.
const json& member(const json& obj, const std::string& pointer, const char* name) {
  if (!obj.is_object()) throw ResultFormatError(pointer, "expected an object");
  auto it = obj.find(name);
  if (it == obj.end()) throw ResultFormatError(pointer + "/" + name, "missing");
  return *it;
}

template <typename T>
T field(const json& obj, const std::string& pointer, const char* name) {
  const json& v = member(obj, pointer, name);
  try {
    return v.get<T>();
  } catch (const json::exception& e) {
    throw ResultFormatError(pointer + "/" + name, std::string("wrong type: ") + v.type_name());
  }
}

template <typename T>
T optional_field(const json& obj, const std::string& pointer, const char* name, T fallback) {
  if (!obj.contains(name)) return fallback;
  return field<T>(obj, pointer, name);
}

Status status_from(const std::string& s, const std::string& pointer) {
  for (Status st : {Status::Pass, Status::Fail, Status::Warn, Status::Unknown, Status::Skipped})
    if (to_string(st) == s) return st;
  throw ResultFormatError(pointer, "unknown status \"" + s + "\" (expected pass, fail, warn, unknown, skipped)");
}

Severity severity_from(const std::string& s, const std::string& pointer) {
  if (s == "MUST") return Severity::Must;
  if (s == "SHOULD") return Severity::Should;
  throw ResultFormatError(pointer, "unknown severity \"" + s + "\" (expected MUST or SHOULD)");
}

}  // namespace

json render_json(const ReportInput& raw) {
  const Redactor redactor = redactor_for(raw);
  const ReportInput in = redactor.input(raw);

  json verdicts = json::array();
  for (const auto& v : in.verdicts.verdicts) verdicts.push_back(verdict_to_json(v));
  json history = json::array();
  for (const auto& e : in.history) history.push_back(event_to_json(e));
  json requests = json::array();
  for (const auto& r : in.repro_requests) {
    json headers = json::array();
    for (const auto& [name, value] : r.headers) headers.push_back({name, value});
    requests.push_back({{"client", r.client}, {"method", r.method}, {"url", r.url}, {"headers", headers}, {"body", r.body}});
  }
  const auto [low, high] = wilson_interval(in.repro_failures, in.repro_runs);
  json result = {
      {"format_version", kResultFormatVersion},
      {"tool", "racecheck"},
      {"racecheck", {{"version", in.racecheck_version}, {"commit", in.racecheck_commit}}},
      {"title", in.title},
      {"target", in.target},
      {"command", in.command},
      {"spec_path", in.spec_path},
      {"seed", in.seed},
      {"started_at", in.started_at},
      {"overall", std::string(to_string(in.verdicts.overall()))},
      {"warnings", in.verdicts.warnings()},
      {"verdicts", verdicts},
      {"minimal_scenario", in.minimal_scenario},
      {"reproduction",
       {{"runs", in.repro_runs},
        {"failures", in.repro_failures},
        {"rate", in.repro_runs > 0 ? static_cast<double>(in.repro_failures) / in.repro_runs : 0.0},
        {"wilson95", {{"low", low}, {"high", high}}},
        {"original",
         {{"runs", in.original_repro_runs},
          {"failures", in.original_repro_failures},
          {"rate", in.original_repro_runs > 0
                       ? static_cast<double>(in.original_repro_failures) / in.original_repro_runs
                       : 0.0}}},
        {"signature", in.violation_signature},
        {"shrink_note", in.shrink_note}}},
      {"repro_requests", requests},
      {"stats", stats_to_json(in.stats)},
      {"burst_spread_ns", in.burst_spread_ns},
      {"release_method", in.release_method},
      {"history", history},
  };
  add_shard_fields(result, in);
  // Last guard: no secret, in any encoding, survives anywhere in the document.
  return redactor.value_secrets_only(result);
}

ReportInput parse_result_json(const json& j) {
  if (!j.is_object()) throw ResultFormatError("", "expected a JSON object");
  const int version = field<int>(j, "", "format_version");
  if (version != kResultFormatVersion)
    throw ResultFormatError("/format_version", "unsupported version " + std::to_string(version) + " (this racecheck reads " +
                                                   std::to_string(kResultFormatVersion) + ")");
  ReportInput in;
  in.title = optional_field<std::string>(j, "", "title", in.title);
  in.target = field<std::string>(j, "", "target");
  in.command = optional_field<std::string>(j, "", "command", "");
  in.spec_path = field<std::string>(j, "", "spec_path");
  in.seed = field<std::uint64_t>(j, "", "seed");
  in.started_at = optional_field<std::string>(j, "", "started_at", "");
  if (j.contains("racecheck")) {
    in.racecheck_version = optional_field<std::string>(j["racecheck"], "/racecheck", "version", "");
    in.racecheck_commit = optional_field<std::string>(j["racecheck"], "/racecheck", "commit", "");
  }
  in.minimal_scenario = member(j, "", "minimal_scenario");
  in.burst_spread_ns = optional_field<std::int64_t>(j, "", "burst_spread_ns", -1);
  in.release_method = optional_field<std::string>(j, "", "release_method", in.release_method);
  read_shard_fields(j, in);

  const json& verdicts = member(j, "", "verdicts");
  if (!verdicts.is_array()) throw ResultFormatError("/verdicts", "expected an array");
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    const std::string p = "/verdicts/" + std::to_string(i);
    const json& v = verdicts[i];
    InvariantVerdict iv;
    iv.invariant = field<std::string>(v, p, "invariant");
    iv.status = status_from(field<std::string>(v, p, "status"), p + "/status");
    iv.summary = optional_field<std::string>(v, p, "summary", "");
    iv.elapsed_ms = optional_field<double>(v, p, "elapsed_ms", 0.0);
    const json& violations = member(v, p, "violations");
    if (!violations.is_array()) throw ResultFormatError(p + "/violations", "expected an array");
    for (std::size_t k = 0; k < violations.size(); ++k) {
      const std::string q = p + "/violations/" + std::to_string(k);
      const json& x = violations[k];
      Violation vi;
      vi.invariant = field<std::string>(x, q, "invariant");
      vi.kind = optional_field<std::string>(x, q, "kind", "");
      vi.severity = severity_from(field<std::string>(x, q, "severity"), q + "/severity");
      vi.explanation = field<std::string>(x, q, "explanation");
      vi.ops = optional_field<std::vector<int>>(x, q, "ops", {});
      vi.linearized_prefix = optional_field<std::vector<int>>(x, q, "linearized_prefix", {});
      vi.prefix_states = optional_field<std::vector<std::string>>(x, q, "prefix_states", {});
      vi.unplaceable_op = optional_field<int>(x, q, "unplaceable_op", -1);
      iv.violations.push_back(std::move(vi));
    }
    in.verdicts.verdicts.push_back(std::move(iv));
  }

  if (j.contains("reproduction")) {
    const json& r = j["reproduction"];
    in.repro_runs = field<int>(r, "/reproduction", "runs");
    in.repro_failures = field<int>(r, "/reproduction", "failures");
    if (r.contains("original")) {
      in.original_repro_runs = field<int>(r["original"], "/reproduction/original", "runs");
      in.original_repro_failures = field<int>(r["original"], "/reproduction/original", "failures");
    }
    in.violation_signature = optional_field<std::string>(r, "/reproduction", "signature", "");
    in.shrink_note = optional_field<std::string>(r, "/reproduction", "shrink_note", "");
  }
  if (j.contains("repro_requests")) {
    const json& reqs = j["repro_requests"];
    if (!reqs.is_array()) throw ResultFormatError("/repro_requests", "expected an array");
    for (std::size_t i = 0; i < reqs.size(); ++i) {
      const std::string p = "/repro_requests/" + std::to_string(i);
      ReproRequest r;
      r.client = field<int>(reqs[i], p, "client");
      r.method = field<std::string>(reqs[i], p, "method");
      r.url = field<std::string>(reqs[i], p, "url");
      r.headers = optional_field<std::vector<std::pair<std::string, std::string>>>(reqs[i], p, "headers", {});
      r.body = optional_field<std::string>(reqs[i], p, "body", "");
      in.repro_requests.push_back(std::move(r));
    }
  }
  if (j.contains("stats")) {
    const json& s = j["stats"];
    in.stats.trials = field<int>(s, "/stats", "trials");
    in.stats.requests = field<std::int64_t>(s, "/stats", "requests");
    in.stats.elapsed_s = field<double>(s, "/stats", "elapsed_s");
    if (s.contains("first_violation_s") && s["first_violation_s"].is_number())
      in.stats.first_violation_s = s["first_violation_s"].get<double>();
    in.stats.outcomes_by_op =
        optional_field<std::map<std::string, std::map<std::string, int>>>(s, "/stats", "outcomes_by_op", {});
    if (s.contains("invariants")) {
      const json& inv = s["invariants"];
      if (!inv.is_object()) throw ResultFormatError("/stats/invariants", "expected an object");
      for (const auto& [name, t] : inv.items()) {
        const std::string p = "/stats/invariants/" + name;
        InvariantTally& tally = in.stats.invariants[name];
        tally.trials = field<int>(t, p, "trials");
        tally.pass = optional_field<int>(t, p, "pass", 0);
        tally.warn = optional_field<int>(t, p, "warn", 0);
        tally.fail = optional_field<int>(t, p, "fail", 0);
        tally.unknown = optional_field<int>(t, p, "unknown", 0);
        tally.skipped = optional_field<int>(t, p, "skipped", 0);
        tally.ops = optional_field<std::int64_t>(t, p, "ops", 0);
      }
    }
  }
  if (j.contains("history")) {
    const json& h = j["history"];
    if (!h.is_array()) throw ResultFormatError("/history", "expected an array");
    for (std::size_t i = 0; i < h.size(); ++i) {
      try {
        in.history.push_back(event_from_json(h[i]));
      } catch (const HistoryError& e) {
        throw ResultFormatError("/history/" + std::to_string(i) + (e.field.empty() ? "" : "/" + e.field), e.reason);
      } catch (const std::exception& e) {
        throw ResultFormatError("/history/" + std::to_string(i), e.what());
      }
    }
  }
  return in;
}

}  // namespace racecheck
