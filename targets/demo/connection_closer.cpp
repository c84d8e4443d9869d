#include "targets/demo/connection_closer.h"

#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_ignore_thread_begin();
extern "C" void __tsan_ignore_thread_end();
#endif

namespace racecheck::demo {
namespace {

// ThreadSanitizer models a descriptor number as a memory location, so our
// dup(fd) racing with the server thread's close(fd) is reported as a data
// race. It is not one here: we only ever act on our own duplicate after
// checking what it refers to (see below), so a closed or reused number is
// harmless. Only this thread's descriptor accesses are hidden from TSan, and
// only for the duration of one check.
struct DescriptorRaceIsHandled {
#if defined(__SANITIZE_THREAD__)
  DescriptorRaceIsHandled() { __tsan_ignore_thread_begin(); }
  ~DescriptorRaceIsHandled() { __tsan_ignore_thread_end(); }
#endif
};

int port_of(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  return -1;
}

// A connected TCP socket whose local port is `port` and that is not a listener:
// a connection the server accepted (a client socket of this process talking to
// the server has an ephemeral local port instead).
bool is_accepted_on(int fd, int port) {
  int listening = 0;
  socklen_t length = sizeof listening;
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0 || listening) {
    return false;
  }
  sockaddr_storage local{};
  length = sizeof local;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) return false;
  if (port_of(local) != port) return false;
  sockaddr_storage peer{};
  length = sizeof peer;
  return getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) == 0;
}

std::vector<int> open_descriptors() {
  std::vector<int> fds;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  const int own = dirfd(dir);
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end != entry->d_name && *end == '\0' && fd != own) fds.push_back(static_cast<int>(fd));
  }
  closedir(dir);
  return fds;
}

}  // namespace

int shutdown_reads_of_accepted_sockets(int port) {
  int count = 0;
  for (int fd : open_descriptors()) {
    // Work on a duplicate: if the server closes `fd` and the number is reused
    // meanwhile, the duplicate still names the socket we checked, so we never
    // shut down someone else's socket.
    [[maybe_unused]] DescriptorRaceIsHandled tsan_note;
    int held = dup(fd);
    if (held < 0) continue;
    if (is_accepted_on(held, port) && shutdown(held, SHUT_RD) == 0) ++count;
    close(held);
  }
  return count;
}

}  // namespace racecheck::demo
