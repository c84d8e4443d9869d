#include "reports/shards.h"

#include <algorithm>

#include "reports/reports.h"
#include "reports/text_util.h"

namespace racecheck {

using nlohmann::json;

std::string to_string(ShardId shard) { return std::to_string(shard.index) + "/" + std::to_string(shard.total); }

namespace {

// The shown status of one shard: "missing" has no Status of its own.
std::string status_word(const ShardLine& line) {
  return line.missing ? "missing" : std::string(to_string(line.status));
}

Status status_from_word(const std::string& word, const std::string& pointer) {
  for (Status s : {Status::Pass, Status::Fail, Status::Warn, Status::Unknown, Status::Skipped})
    if (to_string(s) == word) return s;
  throw ResultFormatError(pointer, "unknown status \"" + word + "\" (expected pass, fail, warn, unknown, missing)");
}

template <typename T>
T typed(const json& obj, const std::string& pointer, const char* name) {
  if (!obj.is_object()) throw ResultFormatError(pointer, "expected an object");
  const auto it = obj.find(name);
  if (it == obj.end()) throw ResultFormatError(pointer + "/" + name, "missing");
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw ResultFormatError(pointer + "/" + name, std::string("wrong type: ") + it->type_name());
  }
}

ShardId shard_from_json(const json& j, const std::string& pointer) {
  ShardId s{typed<int>(j, pointer, "index"), typed<int>(j, pointer, "total")};
  if (s.total < 1) throw ResultFormatError(pointer + "/total", "must be at least 1, not " + std::to_string(s.total));
  if (s.index < 1 || s.index > s.total)
    throw ResultFormatError(pointer + "/index", std::to_string(s.index) + " is not between 1 and the total " +
                                                    std::to_string(s.total));
  return s;
}

}  // namespace

void add_shard_fields(json& result, const ReportInput& in) {
  result["shard"] = {{"index", in.shard.index}, {"total", in.shard.total}};
  result["spec_digest"] = in.spec_digest;
  if (in.shards.empty()) return;
  json lines = json::array();
  for (const ShardLine& l : in.shards)
    lines.push_back({{"index", l.shard.index}, {"total", l.shard.total}, {"status", status_word(l)},
                     {"file", l.file}, {"seed", l.seed}, {"trials", l.trials}, {"requests", l.requests},
                     {"elapsed_s", l.elapsed_s}, {"note", l.note}});
  result["shards"] = std::move(lines);
}

void read_shard_fields(const json& j, ReportInput& in) {
  if (j.contains("shard")) in.shard = shard_from_json(j["shard"], "/shard");
  if (j.contains("spec_digest")) in.spec_digest = typed<std::string>(j, "", "spec_digest");
  if (!j.contains("shards")) return;
  const json& lines = j["shards"];
  if (!lines.is_array()) throw ResultFormatError("/shards", "expected an array");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string p = "/shards/" + std::to_string(i);
    ShardLine l;
    l.shard = shard_from_json(lines[i], p);
    const std::string word = typed<std::string>(lines[i], p, "status");
    l.missing = word == "missing";
    if (!l.missing) l.status = status_from_word(word, p + "/status");
    l.file = typed<std::string>(lines[i], p, "file");
    l.seed = typed<std::uint64_t>(lines[i], p, "seed");
    l.trials = typed<int>(lines[i], p, "trials");
    l.requests = typed<std::int64_t>(lines[i], p, "requests");
    l.elapsed_s = typed<double>(lines[i], p, "elapsed_s");
    l.note = typed<std::string>(lines[i], p, "note");
    in.shards.push_back(std::move(l));
  }
}

std::string shard_lines_text(const ReportInput& in) {
  using report_text::format_fixed;
  std::string out;
  for (const ShardLine& l : in.shards) {
    std::string word = status_word(l);
    for (char& c : word) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    word.resize(std::max<std::size_t>(word.size(), 8), ' ');
    out += "  shard " + to_string(l.shard) + "  " + word;
    if (!l.missing)
      out += " seed " + std::to_string(l.seed) + "  " + std::to_string(l.trials) + " trials, " +
             std::to_string(l.requests) + " requests in " + format_fixed(l.elapsed_s, 1) + " s";
    if (!l.note.empty()) out += "  " + l.note;
    if (!l.file.empty()) out += "  (" + l.file + ")";
    out += "\n";
  }
  return out;
}

std::string shards_html_section(const ReportInput& in) {
  using report_text::format_fixed;
  using report_text::html_escape;
  if (in.shards.empty()) return "";
  std::string out = "<section id=\"shards\"><h2>Shards</h2><table><tr><th>Status</th><th>Shard</th><th>Seed</th>"
                    "<th>Trials</th><th>Requests</th><th>Time</th><th>Note</th><th>Result file</th></tr>";
  for (const ShardLine& l : in.shards) {
    const std::string word = status_word(l);
    out += "<tr><td><span class=\"pill " + std::string(l.missing ? "unknown" : word) + "\">" + html_escape(word) +
           "</span></td><td>" + to_string(l.shard) + "</td>";
    if (l.missing) {
      out += "<td colspan=\"4\" class=\"muted\">no result</td>";
    } else {
      out += "<td><code>" + std::to_string(l.seed) + "</code></td><td>" + std::to_string(l.trials) + "</td><td>" +
             std::to_string(l.requests) + "</td><td>" + format_fixed(l.elapsed_s, 1) + " s</td>";
    }
    out += "<td>" + html_escape(l.note) + "</td><td><code>" + html_escape(l.file) + "</code></td></tr>";
  }
  return out + "</table></section>\n";
}

}  // namespace racecheck
