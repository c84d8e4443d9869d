// The HTML report: one self-contained file. Static sections (verdicts,
// linearization, scenario, statistics) are rendered here, escaped; the timeline
// is drawn by the embedded script from a JSON data block.
#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <set>

#include <openssl/evp.h>

#include "reports/html_assets.h"
#include "reports/redact.h"
#include "reports/reports.h"
#include "reports/text_util.h"

namespace racecheck {

namespace {

using nlohmann::json;
using report_text::dump_json;
using report_text::format_duration_ns;
using report_text::format_fixed;
using report_text::html_escape;

std::string outcome_name(Outcome o) { return std::string(to_string(o)); }

std::string status_class(Status s) { return std::string(to_string(s)); }

// What a history process is: racecheck writes a trial's setup requests as
// process -1 and its final reads as -2 (docs/history.md); 0.. are the clients.
std::string process_label(std::int64_t process) {
  if (process == -1) return "setup";
  if (process == -2) return "final read";
  return "client " + std::to_string(process);
}

// "withdraw 50 → ok balance=50": the same wording the timeline uses.
std::string op_summary(const Operation& op) {
  std::string args;
  if (op.input.is_object()) {
    int n = 0;
    for (const auto& [k, v] : op.input.items()) {
      if (n++ == 3) break;
      if (!v.is_structured()) args += " " + (v.is_string() ? v.get<std::string>() : dump_json(v));
    }
  } else if (!op.input.is_null()) {
    args = " " + dump_json(op.input);
  }
  std::string result;
  if (op.outcome == Outcome::Ok) {
    if (op.output.is_object()) {
      for (const auto& [k, v] : op.output.items())
        if (!op.input.is_object() || !op.input.contains(k) || op.input[k] != v)
          result += (result.empty() ? "" : " ") + k + "=" + (v.is_string() ? v.get<std::string>() : dump_json(v));
    }
    if (result.empty()) result = "ok";
  } else if (op.outcome == Outcome::Fail) {
    result = op.error.empty() ? "fail " + std::to_string(op.status) : op.error;
  } else {
    result = op.error.empty() ? "?" : op.error;
  }
  return op.f + args + " \xE2\x86\x92 " + result;
}

struct Timebase {
  bool clock = true;       // times are ns (false: event indices)
  std::int64_t t0 = 0;
};

Timebase timebase_for(const ReportInput& in) {
  Timebase tb;
  tb.clock = std::all_of(in.history.begin(), in.history.end(), [](const Event& e) { return e.time_ns >= 0; });
  if (!in.ops.empty()) {
    tb.t0 = std::min_element(in.ops.begin(), in.ops.end(), [](const Operation& a, const Operation& b) {
              return a.call < b.call;
            })->call;
  }
  return tb;
}

const Event* event_at(const ReportInput& in, std::int64_t index) {
  if (index < 0 || index >= static_cast<std::int64_t>(in.history.size())) return nullptr;
  const Event& e = in.history[static_cast<std::size_t>(index)];
  return e.index == index ? &e : nullptr;
}

std::set<int> involved_ops(const CheckReport& report) {
  std::set<int> ids;
  for (const auto& v : report.verdicts)
    for (const auto& x : v.violations) {
      ids.insert(x.ops.begin(), x.ops.end());
      if (x.unplaceable_op >= 0) ids.insert(x.unplaceable_op);
    }
  return ids;
}

const Violation* first_linearizability_violation(const CheckReport& report) {
  for (const auto& v : report.verdicts)
    for (const auto& x : v.violations)
      if (!x.linearized_prefix.empty() || x.unplaceable_op >= 0) return &x;
  return nullptr;
}

json timeline_data(const ReportInput& in) {
  const Timebase tb = timebase_for(in);
  json ops = json::array();
  std::set<std::int64_t> processes;
  double span = 1;
  std::vector<double> ends(in.ops.size());
  for (std::size_t i = 0; i < in.ops.size(); ++i) {
    const Operation& op = in.ops[i];
    const double call = static_cast<double>(op.call - tb.t0);
    double end = call;
    json ret = nullptr;
    if (op.ret != kNever) {
      end = static_cast<double>(op.ret - tb.t0);
      ret = end;
    } else if (const Event* done = event_at(in, op.complete_event)) {
      // An info op's bar ends where the client gave up; a dotted tail says it may still take effect.
      end = static_cast<double>((tb.clock ? done->time_ns : done->index) - tb.t0);
    }
    json sent = nullptr;
    if (const Event* inv = event_at(in, op.invoke_event); tb.clock && inv && inv->sent_ns >= 0)
      sent = static_cast<double>(inv->sent_ns - tb.t0);
    const Event* done = event_at(in, op.complete_event);
    const bool body_cut = done != nullptr && done->body_truncated;
    json steps = nullptr;  // a multi-request op's requests, times on the timeline's axis
    if (done != nullptr && done->steps.is_array() && tb.clock) {
      steps = json::array();
      for (const json& step : done->steps) {
        json shown = step;
        for (const char* field : {"sent_ns", "done_ns"}) {
          const json t = step.value(field, json(-1));
          shown[field] = t.is_number_integer() && t.get<std::int64_t>() >= 0
                             ? json(static_cast<double>(t.get<std::int64_t>() - tb.t0))
                             : json(nullptr);
        }
        steps.push_back(std::move(shown));
      }
    }
    ends[i] = std::max(end, call);
    span = std::max(span, ends[i]);
    processes.insert(op.process);
    ops.push_back({{"id", op.id}, {"p", op.process}, {"f", op.f}, {"in", op.input}, {"out", op.output},
                   {"o", outcome_name(op.outcome)}, {"err", op.error}, {"call", call}, {"ret", ret},
                   {"end", ends[i]}, {"sent", sent}, {"key", op.key}, {"att", op.attempt},
                   {"inst", op.instance}, {"status", op.status}, {"body", op.body}, {"cut", body_cut}, {"steps", steps}});
  }
  span *= 1.04;

  const std::set<int> involved = involved_ops(in.verdicts);
  double window_start = 0, window_end = span;
  bool any = false;
  for (std::size_t i = 0; i < in.ops.size(); ++i) {
    if (!involved.count(in.ops[i].id)) continue;
    const double call = static_cast<double>(in.ops[i].call - tb.t0);
    window_start = any ? std::min(window_start, call) : call;
    window_end = any ? std::max(window_end, ends[i]) : ends[i];
    any = true;
  }
  if (any) {
    const double pad = std::max((window_end - window_start) * 0.12, span * 0.002);
    window_start = std::max(0.0, window_start - pad);
    window_end = std::min(span, window_end + pad);
    if (window_end <= window_start) window_end = window_start + 1;
  }

  json burst = nullptr;
  if (tb.clock && in.burst_spread_ns >= 0 && !in.ops.empty()) {
    // The burst is each client's first request; its measured spread starts at the earliest last byte.
    std::set<std::int64_t> seen;
    double start = span;
    for (const Operation& op : in.ops) {
      if (op.process < 0 || !seen.insert(op.process).second) continue;  // setup and final reads are not in it
      const Event* inv = event_at(in, op.invoke_event);
      const std::int64_t t = (inv && inv->sent_ns >= 0) ? inv->sent_ns : op.call;
      start = std::min(start, static_cast<double>(t - tb.t0));
    }
    burst = {{"start", start}, {"spread", static_cast<double>(in.burst_spread_ns)}};
  }

  json lin = nullptr;
  if (const Violation* v = first_linearizability_violation(in.verdicts))
    lin = {{"prefix", v->linearized_prefix}, {"unplaceable", v->unplaceable_op}};

  // Lanes in the trial's own order: setup, the clients, the final read.
  std::vector<std::int64_t> lanes(processes.begin(), processes.end());
  auto lane_rank = [](std::int64_t p) { return p == -1 ? INT64_MIN : p == -2 ? INT64_MAX : p; };
  std::stable_sort(lanes.begin(), lanes.end(), [&](auto a, auto b) { return lane_rank(a) < lane_rank(b); });
  json labels = json::object();
  for (const std::int64_t p : lanes) labels[std::to_string(p)] = process_label(p);
  return {{"clock", tb.clock},
          {"end", span},
          {"processes", lanes},
          {"labels", labels},
          {"ops", ops},
          {"violation_ops", involved},
          {"window", {{"start", window_start}, {"end", window_end}}},
          {"burst", burst},
          {"lin", lin}};
}

std::string op_links(const std::vector<int>& ids) {
  std::string out;
  for (int id : ids) {
    if (!out.empty()) out += ", ";
    out += "<span class=\"oplink\" data-goto-op=\"" + std::to_string(id) + "\">#" + std::to_string(id) + "</span>";
  }
  return out;
}

std::string verdicts_section(const ReportInput& in) {
  std::string out = "<section id=\"verdicts\"><h2>Verdicts</h2><table><tr><th>Status</th><th>Invariant</th><th>Result</th><th>Check time</th></tr>";
  for (const auto& v : in.verdicts.verdicts) {
    const Status status = effective_status(v);
    out += "<tr><td><span class=\"pill " + status_class(status) + "\">" + html_escape(to_string(status)) +
           "</span></td><td><b>" + html_escape(v.invariant) + "</b></td><td>" + html_escape(v.summary);
    for (const auto& x : v.violations) {
      const bool should = x.severity == Severity::Should;
      out += "<div class=\"violation" + std::string(should ? " should" : "") + "\"><span class=\"sev\">" +
             html_escape(to_string(x.severity)) + "</span>" + html_escape(x.explanation);
      if (!x.ops.empty()) out += " <span class=\"muted\">ops</span> " + op_links(x.ops);
      out += "</div>";
    }
    out += "</td><td class=\"muted\">" + format_fixed(v.elapsed_ms, 2) + " ms</td></tr>";
  }
  if (in.verdicts.verdicts.empty()) out += "<tr><td colspan=\"4\" class=\"muted\">No invariant was checked.</td></tr>";
  return out + "</table></section>\n";
}

// Each accepted hostile input of the minimal failing trial: the request, the
// response and what it did (the input-validation violation's explanation).
std::string hostile_inputs_section(const ReportInput& in) {
  std::string rows;
  for (const auto& v : in.verdicts.verdicts) {
    for (const auto& x : v.violations) {
      if (x.kind != "invalid-input-accepted" || x.ops.empty()) continue;
      const int id = x.ops.front();
      if (id < 0 || static_cast<std::size_t>(id) >= in.ops.size()) continue;
      const Operation& op = in.ops[static_cast<std::size_t>(id)];
      rows += "<tr><td>" + op_links({id}) + "</td><td><code>" + html_escape(op.f + " " + op.input.dump()) +
              "</code></td><td><code>" + html_escape((op.status != 0 ? std::to_string(op.status) + " " : "") +
                                                      escape_invalid_utf8(op.body.substr(0, 400))) +
              "</code></td><td>" + html_escape(x.explanation) + "</td></tr>";
    }
  }
  if (rows.empty()) return "";
  return "<section id=\"hostile-inputs\"><h2>Hostile inputs accepted</h2><table><tr><th>Op</th><th>Request</th>"
         "<th>Response</th><th>Effect</th></tr>" +
         rows + "</table></section>\n";
}

std::string timeline_section() {
  return R"(<section id="timeline-section"><h2>Timeline of the minimal failing history</h2>
<div class="toolbar"><button id="btn-window" type="button">Failing window</button><button id="btn-all" type="button">Whole history</button>
<button id="btn-in" type="button">Zoom +</button><button id="btn-out" type="button">Zoom &minus;</button><span class="muted" id="tl-count"></span>
<div class="legend"><span><i class="sw ok"></i>ok</span><span><i class="sw fail"></i>fail (not applied)</span><span><i class="sw info"></i>info (indeterminate)</span>
<span><i class="sw viol"></i>in the violation</span><span><i class="sw retry"></i>retry</span><span><i class="sw dup"></i>duplicate key</span><span><i class="sw burst"></i>burst arrival spread</span></div></div>
<div id="timeline"><div id="tl-inner"></div></div>
<noscript><p>The timeline needs JavaScript; every other section of this report is static.</p></noscript>
<div id="details" class="muted">Hover a request for a summary; click it for the request and the response.</div>
<div id="tip"></div></section>
)";
}

std::string linearizability_section(const ReportInput& in) {
  std::string out;
  for (const auto& v : in.verdicts.verdicts) {
    for (const auto& x : v.violations) {
      if (x.linearized_prefix.empty() && x.unplaceable_op < 0) continue;
      auto op_cell = [&](int id) {
        std::string s = "<span class=\"oplink\" data-goto-op=\"" + std::to_string(id) + "\">#" + std::to_string(id) + "</span> ";
        if (id >= 0 && id < static_cast<int>(in.ops.size()))
          s += process_label(in.ops[static_cast<std::size_t>(id)].process) + ": " +
               html_escape(op_summary(in.ops[static_cast<std::size_t>(id)]));
        return s;
      };
      auto state = [&](std::size_t i) {
        return i < x.prefix_states.size() ? html_escape(x.prefix_states[i]) : std::string("?");
      };
      out += "<section id=\"linearizability\"><h2>" +
             (x.invariant == "linearizability" ? std::string("Linearizability") : "Linearizability: " + html_escape(x.invariant)) +
             "</h2><p>" +
             html_escape(x.explanation) + "</p><p class=\"muted\">The longest linearizable prefix (" +
             std::to_string(x.linearized_prefix.size()) +
             " ops, in linearization order, marked L1, L2, … on the timeline) and the op that cannot be placed after it.</p>"
             "<table class=\"lintable\"><tr><th>Step</th><th>Operation</th><th>Model state before</th><th>Model state after</th></tr>";
      for (std::size_t i = 0; i < x.linearized_prefix.size(); ++i) {
        out += "<tr><td>L" + std::to_string(i + 1) + "</td><td>" + op_cell(x.linearized_prefix[i]) + "</td><td class=\"state\">" +
               state(i) + "</td><td class=\"state\">" + state(i + 1) + "</td></tr>";
      }
      if (x.unplaceable_op >= 0) {
        out += "<tr class=\"unplaceable\"><td>&#10007;</td><td>" + op_cell(x.unplaceable_op) + "</td><td class=\"state\">" +
               state(x.linearized_prefix.size()) +
               "</td><td><b>cannot be placed</b>: its observed result is impossible in this state</td></tr>";
      }
      out += "</table></section>\n";
    }
  }
  return out;
}

// Bars are SVG geometry, not style attributes: the CSP allows no inline style
// but the stylesheet's own hash.
std::string rate_bar(double rate, double low, double high) {
  auto x = [](double fraction) { return format_fixed(fraction * 100, 2); };
  return "<svg class=\"rate\" viewBox=\"0 -3 100 18\" preserveAspectRatio=\"none\" aria-hidden=\"true\">"
         "<rect class=\"track\" width=\"100\" height=\"12\" rx=\"2\"/><rect class=\"fill\" width=\"" + x(rate) +
         "\" height=\"12\" rx=\"2\"/><line class=\"ci\" x1=\"" + x(low) + "\" x2=\"" + x(low) +
         "\" y1=\"-3\" y2=\"15\"/><line class=\"ci\" x1=\"" + x(high) + "\" x2=\"" + x(high) + "\" y1=\"-3\" y2=\"15\"/></svg>";
}

std::string outcome_bar(double ok, double fail, double info) {
  std::string out = "<svg class=\"stack\" viewBox=\"0 0 100 12\" preserveAspectRatio=\"none\" aria-hidden=\"true\">";
  double at = 0;
  for (const auto& [cls, fraction] : {std::pair<const char*, double>{"ok", ok}, {"fail", fail}, {"info", info}}) {
    out += std::string("<rect class=\"") + cls + "\" x=\"" + format_fixed(at * 100, 2) + "\" width=\"" +
           format_fixed(fraction * 100, 2) + "\" height=\"12\"/>";
    at += fraction;
  }
  return out + "</svg>";
}

std::string scenario_section(const ReportInput& in, const std::string& curl_script) {
  std::string out = "<section id=\"scenario\"><h2>Minimal scenario and reproduction</h2><div class=\"grid2\"><div>";
  if (in.repro_runs > 0) {
    const auto [low, high] = wilson_interval(in.repro_failures, in.repro_runs);
    const double rate = static_cast<double>(in.repro_failures) / in.repro_runs;
    out += "<p><b>Reproduction rate:</b> failed " + std::to_string(in.repro_failures) + " of " +
           std::to_string(in.repro_runs) + " re-runs (" + format_fixed(rate * 100, 0) + "%; 95% Wilson interval " +
           format_fixed(low * 100, 1) + "&ndash;" + format_fixed(high * 100, 1) + "%)</p>" + rate_bar(rate, low, high);
    if (in.original_repro_runs > 0)
      out += "<p><b>Original scenario:</b> failed " + std::to_string(in.original_repro_failures) + " of " +
             std::to_string(in.original_repro_runs) + " re-runs</p>";
  } else {
    out += "<p class=\"muted\">The minimal scenario was not re-run.</p>";
  }
  if (!in.violation_signature.empty())
    out += "<p><b>Violation kept while shrinking:</b> <code>" + html_escape(in.violation_signature) + "</code></p>";
  if (!in.shrink_note.empty()) out += "<p class=\"muted\">" + html_escape(in.shrink_note) + "</p>";
  out += "<p><b>Seed:</b> <code>" + std::to_string(in.seed) + "</code>";
  if (!in.spec_path.empty()) out += " &nbsp; <b>Spec:</b> <code>" + html_escape(in.spec_path) + "</code>";
  out += "</p><p><b>Reproduce</b> <button class=\"copy\" type=\"button\" data-copy=\"repro-command\">copy</button></p><pre id=\"repro-command\">" +
         html_escape(in.command.empty() ? "(not recorded)" : in.command) + "</pre>";
  out += "<details open><summary><b>Scenario</b></summary><pre>" +
         html_escape(in.minimal_scenario.is_null() ? "(none)" : dump_json(in.minimal_scenario, 2)) + "</pre></details></div><div>";
  out += "<p><b>curl script of the minimal requests</b> <button class=\"copy\" type=\"button\" data-copy=\"curl-script\">copy</button></p><pre id=\"curl-script\">" +
         html_escape(curl_script) + "</pre></div></div></section>\n";
  return out;
}

// A small latency histogram as inline SVG (works without the script).
std::string latency_chart(const std::vector<double>& samples) {
  if (samples.empty()) return "<p class=\"muted\">No latency samples.</p>";
  const double hi = std::max(percentile(samples, 99), 1e-6);
  constexpr int kBins = 24;
  std::vector<int> bins(kBins + 1, 0);  // the last bin collects everything above p99
  for (double s : samples) {
    const int b = s > hi ? kBins : std::min(kBins - 1, static_cast<int>(s / hi * kBins));
    ++bins[static_cast<std::size_t>(std::max(0, b))];
  }
  const int peak = std::max(1, *std::max_element(bins.begin(), bins.end()));
  constexpr int kW = 460, kH = 120, kBarW = 18;
  std::string svg = "<svg width=\"" + std::to_string(kW) + "\" height=\"" + std::to_string(kH + 34) +
                    "\" role=\"img\" aria-label=\"latency histogram\">";
  for (int i = 0; i <= kBins; ++i) {
    const int h = static_cast<int>(std::lround(static_cast<double>(bins[static_cast<std::size_t>(i)]) / peak * kH));
    const int xpos = 4 + i * kBarW;
    svg += "<rect x=\"" + std::to_string(xpos) + "\" y=\"" + std::to_string(kH - h) + "\" width=\"" + std::to_string(kBarW - 3) +
           "\" height=\"" + std::to_string(h) + "\" fill=\"" + (i == kBins ? "#d62839" : "#2f6fde") + "\" rx=\"2\"><title>" +
           (i == kBins ? "&gt; p99" : format_fixed(hi * i / kBins, 2) + "&ndash;" + format_fixed(hi * (i + 1) / kBins, 2) + " ms") +
           ": " + std::to_string(bins[static_cast<std::size_t>(i)]) + "</title></rect>";
  }
  svg += "<line x1=\"0\" x2=\"" + std::to_string(kW) + "\" y1=\"" + std::to_string(kH) + "\" y2=\"" + std::to_string(kH) +
         "\" stroke=\"#98a2b3\"/><text x=\"4\" y=\"" + std::to_string(kH + 16) + "\" font-size=\"11\" fill=\"#667085\">0 ms</text><text x=\"" +
         std::to_string(kBins * kBarW) + "\" y=\"" + std::to_string(kH + 16) + "\" font-size=\"11\" text-anchor=\"end\" fill=\"#667085\">" +
         format_fixed(hi, 2) + " ms (p99)</text><text x=\"" + std::to_string(4 + kBins * kBarW) + "\" y=\"" + std::to_string(kH + 30) +
         "\" font-size=\"11\" fill=\"#d62839\">&gt;p99</text></svg>";
  return svg;
}

std::string stats_section(const ReportInput& in) {
  const RunStats& s = in.stats;
  const auto& l = s.latencies_ms;
  auto card = [](const std::string& value, const std::string& name) {
    return "<div class=\"card\"><b>" + value + "</b><span>" + name + "</span></div>";
  };
  std::string out = "<section id=\"stats\"><h2>Run statistics</h2><div class=\"cards\">";
  out += card(std::to_string(s.trials), "trials") + card(std::to_string(s.requests), "requests") +
         card(format_fixed(s.elapsed_s, 2) + " s", "elapsed") +
         card(s.elapsed_s > 0 ? format_fixed(static_cast<double>(s.requests) / s.elapsed_s, 0) + "/s" : "-", "throughput");
  if (!l.empty()) {
    out += card(format_fixed(percentile(l, 50), 2) + " ms", "latency p50") + card(format_fixed(percentile(l, 90), 2) + " ms", "p90") +
           card(format_fixed(percentile(l, 99), 2) + " ms", "p99") +
           card(format_fixed(*std::max_element(l.begin(), l.end()), 2) + " ms", "max");
  }
  if (in.burst_spread_ns >= 0) out += card(format_duration_ns(static_cast<double>(in.burst_spread_ns)), "burst arrival spread");
  out += "</div><div class=\"grid2\"><div><b>Latency</b><div>" + latency_chart(l) + "</div>" +
         "</div><div><b>Outcomes per operation</b><table><tr><th>Operation</th><th>ok</th><th>fail</th><th>info</th><th></th></tr>";
  for (const auto& [op, op_counts] : s.outcomes_by_op) {
    const auto& counts = op_counts;  // a lambda cannot capture a structured binding before clang 16
    auto count = [&](const char* k) { auto it = counts.find(k); return it == counts.end() ? 0 : it->second; };
    const int ok = count("ok"), fail = count("fail"), info = count("info");
    const double total = std::max(1, ok + fail + info);
    out += "<tr><td><b>" + html_escape(op) + "</b></td><td>" + std::to_string(ok) + "</td><td>" + std::to_string(fail) + "</td><td>" +
           std::to_string(info) + "</td><td>" + outcome_bar(ok / total, fail / total, info / total) + "</td></tr>";
  }
  return out + "</table></div></div></section>\n";
}

}  // namespace

std::string html_assets::csp_hash_source(std::string_view block) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (EVP_Digest(block.data(), block.size(), digest, &digest_size, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 of the HTML report's inline block failed (OpenSSL EVP_Digest)");
  unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(digest_size));
  return "'sha256-" + std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(n)) + "'";
}

std::string render_html(const ReportInput& raw) {
  const Redactor redactor = redactor_for(raw);
  const ReportInput in = redactor.input(raw);
  const Status overall = in.verdicts.overall();
  const std::string curl_script = render_curl_script(raw);

  // The inline blocks are allowed by their hashes only; the last redaction guard
  // below runs over everything else, never over the hashed blocks (a change there
  // would block them).
  const std::string_view style = html_assets::kStyle, script = html_assets::kScript;
  const std::string csp = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src " +
                          html_assets::csp_hash_source(style) + "; script-src " + html_assets::csp_hash_source(script) +
                          "; img-src data:\">\n";
  std::string out = "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
                    html_escape(overall == Status::Fail ? "FAIL \xE2\x80\x94 " + in.title : in.title) + "</title>\n<style>";
  const std::string head = redactor.secrets_only(out);
  out = "</style></head><body>\n";
  std::string upper(to_string(overall));
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out += "<header class=\"top\"><span class=\"badge " + status_class(overall) + "\">" + upper + "</span><div><h1>" +
         html_escape(in.title) + "</h1><div class=\"meta\">target <code>" + html_escape(in.target) + "</code> &middot; seed <code>" +
         std::to_string(in.seed) + "</code>" +
         (in.shard.total > 1 ? " &middot; shard <code>" + to_string(in.shard) + "</code>" : "") + (in.started_at.empty() ? "" : " &middot; " + html_escape(in.started_at)) +
         (in.protocol.empty() ? "" : " &middot; " + html_escape(in.protocol) + ", " + html_escape(in.release_method)) +
         " &middot; " + std::to_string(in.ops.size()) + " requests in the shown history</div></div></header>\n<main>\n";
  for (const auto& warning : in.transport_warnings) out += "<p class=\"warn\"><b>Warning:</b> " + html_escape(warning) + "</p>\n";
  out += verdicts_section(in);
  out += hostile_inputs_section(in);
  out += shards_html_section(in);
  out += timeline_section();
  out += linearizability_section(in);
  out += scenario_section(in, curl_script);
  out += stats_section(in);
  const std::string build = in.racecheck_version.empty()
                                ? std::string()
                                : " " + html_escape(in.racecheck_version) + " (commit " + html_escape(in.racecheck_commit) + ")";
  out += "<p class=\"muted\">Generated by racecheck" + build + " (result format " + std::to_string(kResultFormatVersion) +
         "). Values from the target are shown as text; secrets are replaced by [REDACTED].</p>\n</main>\n";
  out += "<script type=\"application/json\" id=\"racecheck-data\">" + report_text::json_for_script(timeline_data(in)) +
         "</script>\n<script>";
  return csp + head + std::string(style) + redactor.secrets_only(out) + std::string(script) + "</script>\n</body></html>\n";
}

}  // namespace racecheck
