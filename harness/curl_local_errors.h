// Telling a failure of this machine from a failure of the target in a libcurl
// transfer. libcurl reports a socket(2) that failed with EMFILE as "couldn't
// connect" with no errno (CURLINFO_OS_ERRNO is 0), exactly like a refused
// connection; opening the socket ourselves keeps the errno.
#pragma once

#include <string>

#include <curl/curl.h>

namespace racecheck {

// A CURLOPT_OPENSOCKETFUNCTION: socket(2) with SOCK_CLOEXEC, storing errno in
// the int that CURLOPT_OPENSOCKETDATA points to when it fails.
curl_socket_t open_socket_keeping_errno(void* socket_errno, curlsocktype purpose, curl_sockaddr* address);

// The message of a local failure (harness/local_error.h) behind `code`, or ""
// when the failure belongs to the target or the network between: socket(2)
// failed (socket_errno), libcurl ran out of memory, the host name did not
// resolve on this machine, or connect(2) failed for a local reason
// (CURLINFO_OS_ERRNO: EADDRNOTAVAIL, ENOBUFS, ...).
std::string local_transfer_failure(CURL* easy, CURLcode code, int socket_errno, const std::string& url,
                                   const char* detail);

}  // namespace racecheck
