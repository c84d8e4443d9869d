// libcurl's global init is not thread-safe in 7.88: every curl user in the
// harness calls this first, and it runs curl_global_init exactly once.
#pragma once

namespace racecheck {

void ensure_curl_initialized();

}  // namespace racecheck
