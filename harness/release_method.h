// How a burst's first requests are released together (docs/spec.md, "Release
// methods"): every request held by its last byte on a connection of its own
// (HTTP/1.1 or HTTP/2 through libcurl), or every request a stream of ONE
// HTTP/2 connection whose final frames go out in one write (harness/h2_burst.h).
#pragma once

#include <optional>
#include <string>

namespace racecheck {

enum class ReleaseMethod { LastByte, SinglePacket };

// The names the CLI (--release), a history's run header and a JSON result use.
inline const char* release_method_name(ReleaseMethod m) {
  return m == ReleaseMethod::SinglePacket ? "single-packet" : "last-byte";
}

inline std::optional<ReleaseMethod> parse_release_method(const std::string& name) {
  if (name == "last-byte") return ReleaseMethod::LastByte;
  if (name == "single-packet") return ReleaseMethod::SinglePacket;
  return std::nullopt;
}

}  // namespace racecheck
