#include "harness/curl_init.h"

#include <mutex>
#include <stdexcept>

#include <curl/curl.h>

#include "harness/local_error.h"

namespace racecheck {

void ensure_curl_initialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw LocalError("curl_global_init failed (out of memory)");
    }
  });
}

}  // namespace racecheck
