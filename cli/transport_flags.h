// --http2, --cacert, --insecure, --cert and --key: how requests travel
// (docs/spec.md, "HTTP/2 and TLS"), on run, exec, replay and demo. They
// override the spec's "request"/"http_version" and "tls".
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "harness/spec.h"

namespace racecheck {

struct TransportFlags {
  bool http2 = false;
  std::string cacert;
  bool insecure = false;
  std::string cert;
  std::string key;
  bool any() const { return http2 || insecure || !cacert.empty() || !cert.empty() || !key.empty(); }
};

void add_transport_flags(CLI::App* cmd, TransportFlags& flags);

// Puts the flags over the spec's settings, then checks that every file named
// (by a flag or the spec) can be read: one that cannot is a usage error (exit
// 2) naming the flag, or the spec's pointer, and the file. Throws
// CLI::ValidationError or SpecError.
void apply_transport_flags(Spec& spec, const TransportFlags& flags);

// "" when the file at `path` can be opened for reading, else why not.
std::string unreadable_file_reason(const std::string& path);

}  // namespace racecheck
