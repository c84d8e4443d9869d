// What a report says about how the requests travelled: the HTTP version asked
// for and negotiated, and whether TLS verified the target (docs/spec.md,
// "HTTP/2 and TLS").
#pragma once

#include <string>

#include "harness/spec.h"
#include "reports/reports.h"

namespace racecheck {

// protocol_requested, tls_verification and, with --insecure, the warning
// "TLS verification OFF ...".
void describe_transport(ReportInput& in, const Spec& spec);

// The protocol the shown trial negotiated ("" = no response arrived), and a
// warning when a run asked for h2 got HTTP/1.1.
void note_negotiated_protocol(ReportInput& in, const Spec& spec, const std::string& negotiated);

// The warning for an HTTP/2 run that fell back to HTTP/1.1 ("" when it did not).
std::string protocol_fallback_warning(const Spec& spec, const std::string& negotiated);

}  // namespace racecheck
