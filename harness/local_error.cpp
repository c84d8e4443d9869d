#include "harness/local_error.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "harness/curl_local_errors.h"

namespace racecheck {

bool is_local_errno(int error_number) {
  switch (error_number) {
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case ENOBUFS:
    case EADDRNOTAVAIL:
      return true;
    default:
      return false;
  }
}

std::string describe_local_errno(int error_number) {
  const std::string text = std::strerror(error_number);
  switch (error_number) {
    case EMFILE:
      return "out of file descriptors (EMFILE: " + text +
             "): raise `ulimit -n`, or run fewer clients (/generator/clients)";
    case ENFILE:
      return "the system is out of file descriptors (ENFILE: " + text + ")";
    case ENOMEM:
      return "out of memory (ENOMEM: " + text + ")";
    case ENOBUFS:
      return "out of socket buffers (ENOBUFS: " + text + ")";
    case EADDRNOTAVAIL:
      return "out of local ports or no such local address (EADDRNOTAVAIL: " + text +
             "): too many connections in TIME_WAIT; wait, or widen net.ipv4.ip_local_port_range";
    default:
      return text;
  }
}

curl_socket_t open_socket_keeping_errno(void* socket_errno, curlsocktype, curl_sockaddr* address) {
  const int fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  if (fd < 0) *static_cast<int*>(socket_errno) = errno;
  return fd < 0 ? CURL_SOCKET_BAD : fd;
}

namespace {
// "http://host:port" of a URL: a path may carry a secret, the origin does not.
std::string origin_of(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  return url.substr(0, url.find('/', scheme_end + 3));
}
}  // namespace

std::string local_transfer_failure(CURL* easy, CURLcode code, int socket_errno, const std::string& url,
                                   const char* detail) {
  const std::string where = " (request to " + origin_of(url) + ")";
  // socket(2) itself failed: nothing left this machine.
  if (socket_errno != 0) return "cannot open a socket: " + describe_local_errno(socket_errno) + where;
  switch (code) {
    case CURLE_OUT_OF_MEMORY:
      return "libcurl ran out of memory" + where;
    case CURLE_FAILED_INIT:
      return "libcurl could not initialize the transfer" + where;
    case CURLE_COULDNT_RESOLVE_HOST: {
      // libcurl starts a thread per name lookup; under EMFILE or a thread limit
      // that fails before any lookup.
      const std::string d = detail != nullptr ? detail : "";
      if (d.find("thread") != std::string::npos)
        return "cannot start a name lookup (" + d + "): out of file descriptors or threads" + where;
      return "this machine cannot resolve the host name (" + (d.empty() ? std::string("DNS lookup failed") : d) +
             "): check the host in --target or /base_urls, and this machine's DNS" + where;
    }
    default:
      break;
  }
  long os_errno = 0;
  if (easy != nullptr && curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK &&
      is_local_errno(static_cast<int>(os_errno)))
    return describe_local_errno(static_cast<int>(os_errno)) + where;
  return "";
}

}  // namespace racecheck
