#include "harness/transport_report.h"

#include <algorithm>

namespace racecheck {
namespace {

bool any_https(const Spec& spec) {
  return std::any_of(spec.base_urls.begin(), spec.base_urls.end(),
                     [](const std::string& url) { return url.rfind("https://", 0) == 0; });
}

void add_once(std::vector<std::string>& warnings, const std::string& warning) {
  if (std::find(warnings.begin(), warnings.end(), warning) == warnings.end()) warnings.push_back(warning);
}

}  // namespace

void describe_transport(ReportInput& in, const Spec& spec) {
  in.protocol_requested = spec.transport.http2 ? kProtocolHttp2 : kProtocolHttp1;
  if (!any_https(spec)) return;
  in.tls_verification = spec.transport.tls.insecure ? "off" : "on";
  if (spec.transport.tls.insecure)
    add_once(in.transport_warnings,
             "TLS verification OFF (--insecure): the target's certificate and host name were not checked");
}

std::string protocol_fallback_warning(const Spec& spec, const std::string& negotiated) {
  if (!spec.transport.http2 || negotiated != kProtocolHttp1) return "";
  return "asked for HTTP/2 but the target answered over HTTP/1.1 (its TLS offers no h2 by ALPN)";
}

void note_negotiated_protocol(ReportInput& in, const Spec& spec, const std::string& negotiated) {
  in.protocol = negotiated;
  const std::string fallback = protocol_fallback_warning(spec, negotiated);
  if (!fallback.empty()) add_once(in.transport_warnings, fallback);
}

}  // namespace racecheck
