// The minimal scenario as a shell script of curl commands a user can run by hand.
#include <cctype>
#include <map>

#include "reports/redact.h"
#include "reports/reports.h"
#include "reports/text_util.h"

namespace racecheck {

namespace {

// "Proxy-Authorization" -> "RACECHECK_HEADER_PROXY_AUTHORIZATION"
std::string env_name_for(std::string_view header) {
  std::string out = "RACECHECK_HEADER_";
  for (char c : header) out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : '_';
  return out;
}

}  // namespace

std::string render_curl_script(const ReportInput& raw) {
  using report_text::shell_quote;
  const Redactor redactor = redactor_for(raw);
  const ReportInput in = redactor.input(raw);

  std::map<int, std::vector<const ReproRequest*>> by_client;
  std::map<std::string, std::string> env_headers;  // env var -> header name
  for (const auto& r : in.repro_requests) {
    by_client[r.client].push_back(&r);
    for (const auto& [name, value] : r.headers)
      if (redactor.is_redacted_header(name)) env_headers[env_name_for(name)] = name;
  }

  std::string out = "#!/bin/sh\n# racecheck: the minimal failing scenario as curl commands.\n";
  out += "# Target: " + redactor.text(in.target) + "\n";
  out += "# Each client's requests run in order; clients run concurrently (not synchronized\n"
         "# to the byte like racecheck's burst, so a race may need several runs).\n";
  if (!env_headers.empty()) {
    out += "# Redacted headers are read from the environment:\n";
    for (const auto& [env, name] : env_headers) out += "#   " + env + "  (" + name + ")\n";
  }
  out += "set -u\n";
  if (in.repro_requests.empty()) return out + "# (no requests recorded)\n";
  for (const auto& [client, requests] : by_client) {
    out += "(\n";
    for (const ReproRequest* r : requests) {
      std::string line = "  curl -sS -X " + shell_quote(r->method);
      for (const auto& [name, value] : r->headers) {
        if (redactor.is_redacted_header(name)) line += " -H " + shell_quote(name + ": ") + "\"${" + env_name_for(name) + "}\"";
        else line += " -H " + shell_quote(name + ": " + value);
      }
      if (!r->body.empty()) line += " --data-binary " + shell_quote(r->body);
      line += " " + shell_quote(r->url);
      out += line + "; echo\n";
    }
    out += ") &  # client " + std::to_string(client) + "\n";
  }
  out += "wait\n";
  return Redactor(raw.secrets, {}).text(out);
}

}  // namespace racecheck
