// libcurl, loaded when the first request needs it rather than when racecheck
// starts. libcurl and the TLS, SSH, LDAP and Kerberos libraries it needs take
// longer to map and relocate than `racecheck check` takes to judge a small
// history; the commands that never send a request (check, merge, init) should
// not pay for them. The harness is linked against these definitions instead of
// libcurl.so: each one forwards to the function of the same name in the
// library, which is opened once, on first use, by ensure_curl_loaded().
//
// curl.h's type-checking macros would rename the variadic functions defined
// here; they are off in this file only (callers keep them).
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdarg>
#include <mutex>
#include <string>

#include "harness/local_error.h"

namespace racecheck {
namespace {

// The soname of libcurl 7.x and 8.x (Debian's libcurl4 package).
constexpr const char* kLibcurlSoname = "libcurl.so.4";

struct CurlApi {
  decltype(&::curl_global_init) global_init = nullptr;
  decltype(&::curl_global_cleanup) global_cleanup = nullptr;
  decltype(&::curl_easy_init) easy_init = nullptr;
  decltype(&::curl_easy_setopt) easy_setopt = nullptr;
  decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&::curl_easy_perform) easy_perform = nullptr;
  decltype(&::curl_easy_reset) easy_reset = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_easy_pause) easy_pause = nullptr;
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
  decltype(&::curl_slist_append) slist_append = nullptr;
  decltype(&::curl_slist_free_all) slist_free_all = nullptr;
  decltype(&::curl_multi_init) multi_init = nullptr;
  decltype(&::curl_multi_setopt) multi_setopt = nullptr;
  decltype(&::curl_multi_add_handle) multi_add_handle = nullptr;
  decltype(&::curl_multi_remove_handle) multi_remove_handle = nullptr;
  decltype(&::curl_multi_perform) multi_perform = nullptr;
  decltype(&::curl_multi_poll) multi_poll = nullptr;
  decltype(&::curl_multi_info_read) multi_info_read = nullptr;
  decltype(&::curl_multi_cleanup) multi_cleanup = nullptr;
  decltype(&::curl_multi_strerror) multi_strerror = nullptr;
  decltype(&::curl_version_info) version_info = nullptr;
};

CurlApi g_api;
std::string g_load_error;  // empty once loaded

template <typename F>
bool resolve(void* library, const char* name, F* out) {
  *out = reinterpret_cast<F>(dlsym(library, name));
  if (*out != nullptr) return true;
  g_load_error = std::string(kLibcurlSoname) + " has no function " + name + " (racecheck needs libcurl 7.66 or later)";
  return false;
}

void load() {
  void* lib = dlopen(kLibcurlSoname, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* why = dlerror();
    g_load_error = std::string("cannot load ") + kLibcurlSoname + " (install the libcurl4 package): " +
                   (why != nullptr ? why : "unknown dlopen error");
    return;
  }
  CurlApi a;
  const bool ok = resolve(lib, "curl_global_init", &a.global_init) &&
                  resolve(lib, "curl_global_cleanup", &a.global_cleanup) && resolve(lib, "curl_easy_init", &a.easy_init) &&
                  resolve(lib, "curl_easy_setopt", &a.easy_setopt) &&
                  resolve(lib, "curl_easy_getinfo", &a.easy_getinfo) &&
                  resolve(lib, "curl_easy_perform", &a.easy_perform) &&
                  resolve(lib, "curl_easy_reset", &a.easy_reset) &&
                  resolve(lib, "curl_easy_cleanup", &a.easy_cleanup) &&
                  resolve(lib, "curl_easy_pause", &a.easy_pause) &&
                  resolve(lib, "curl_easy_strerror", &a.easy_strerror) &&
                  resolve(lib, "curl_slist_append", &a.slist_append) &&
                  resolve(lib, "curl_slist_free_all", &a.slist_free_all) &&
                  resolve(lib, "curl_multi_init", &a.multi_init) &&
                  resolve(lib, "curl_multi_setopt", &a.multi_setopt) &&
                  resolve(lib, "curl_multi_add_handle", &a.multi_add_handle) &&
                  resolve(lib, "curl_multi_remove_handle", &a.multi_remove_handle) &&
                  resolve(lib, "curl_multi_perform", &a.multi_perform) &&
                  resolve(lib, "curl_multi_poll", &a.multi_poll) &&
                  resolve(lib, "curl_multi_info_read", &a.multi_info_read) &&
                  resolve(lib, "curl_multi_cleanup", &a.multi_cleanup) &&
                  resolve(lib, "curl_multi_strerror", &a.multi_strerror) &&
                  resolve(lib, "curl_version_info", &a.version_info);
  // The library stays open for the life of the process: handles outlive any scope.
  if (ok) g_api = a;
}

std::once_flag g_load_once;

const CurlApi& api() {
  std::call_once(g_load_once, load);
  if (!g_load_error.empty()) throw LocalError(g_load_error);
  return g_api;
}

// curl_easy_setopt and curl_multi_setopt take one argument whose type follows
// from the option number's range (curl.h's CURLOPTTYPE_*), exactly as libcurl
// reads it with va_arg.
template <typename Handle, typename Option, typename Setopt>
auto forward_setopt(Setopt setopt, Handle* handle, Option option, va_list args) {
  const int type = (static_cast<int>(option) / 10000) * 10000;
  switch (type) {
    case CURLOPTTYPE_LONG: return setopt(handle, option, va_arg(args, long));
    case CURLOPTTYPE_OFF_T: return setopt(handle, option, va_arg(args, curl_off_t));
    case CURLOPTTYPE_FUNCTIONPOINT: return setopt(handle, option, va_arg(args, void (*)()));
    default: return setopt(handle, option, va_arg(args, void*));  // objects, strings, lists, blobs
  }
}

}  // namespace
}  // namespace racecheck

using racecheck::api;

extern "C" {

CURLcode curl_global_init(long flags) { return api().global_init(flags); }
void curl_global_cleanup(void) { api().global_cleanup(); }
CURL* curl_easy_init(void) { return api().easy_init(); }

CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...) {
  va_list args;
  va_start(args, option);
  const CURLcode rc = racecheck::forward_setopt(api().easy_setopt, curl, option, args);
  va_end(args);
  return rc;
}

// Every CURLINFO_* result is written through a pointer.
CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...) {
  va_list args;
  va_start(args, info);
  void* out = va_arg(args, void*);
  va_end(args);
  return api().easy_getinfo(curl, info, out);
}

CURLcode curl_easy_perform(CURL* curl) { return api().easy_perform(curl); }
void curl_easy_reset(CURL* curl) { api().easy_reset(curl); }
void curl_easy_cleanup(CURL* curl) { api().easy_cleanup(curl); }
CURLcode curl_easy_pause(CURL* curl, int bitmask) { return api().easy_pause(curl, bitmask); }
const char* curl_easy_strerror(CURLcode code) { return api().easy_strerror(code); }
curl_slist* curl_slist_append(curl_slist* list, const char* text) { return api().slist_append(list, text); }
void curl_slist_free_all(curl_slist* list) { api().slist_free_all(list); }

CURLM* curl_multi_init(void) { return api().multi_init(); }

CURLMcode curl_multi_setopt(CURLM* multi, CURLMoption option, ...) {
  va_list args;
  va_start(args, option);
  const CURLMcode rc = racecheck::forward_setopt(api().multi_setopt, multi, option, args);
  va_end(args);
  return rc;
}

CURLMcode curl_multi_add_handle(CURLM* multi, CURL* curl) { return api().multi_add_handle(multi, curl); }
CURLMcode curl_multi_remove_handle(CURLM* multi, CURL* curl) { return api().multi_remove_handle(multi, curl); }
CURLMcode curl_multi_perform(CURLM* multi, int* running) { return api().multi_perform(multi, running); }
CURLMcode curl_multi_poll(CURLM* multi, curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms,
                          int* ret) {
  return api().multi_poll(multi, extra_fds, extra_nfds, timeout_ms, ret);
}
CURLMsg* curl_multi_info_read(CURLM* multi, int* msgs_in_queue) { return api().multi_info_read(multi, msgs_in_queue); }
CURLMcode curl_multi_cleanup(CURLM* multi) { return api().multi_cleanup(multi); }
const char* curl_multi_strerror(CURLMcode code) { return api().multi_strerror(code); }
curl_version_info_data* curl_version_info(CURLversion version) { return api().version_info(version); }

}  // extern "C"
