// A failure of this machine, not of the target and not of racecheck's logic:
// out of file descriptors (EMFILE/ENFILE), memory, ephemeral ports
// (EADDRNOTAVAIL), a host name this machine cannot resolve, a local file that
// cannot be written. A request that never left the machine says nothing about
// the target, so it is never recorded as the target's outcome: the command
// stops with exit code 6 (harness/exit_codes.h) and this message.
#pragma once

#include <stdexcept>
#include <string>

namespace racecheck {

struct LocalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// True for an errno that says this machine ran out of something (descriptors,
// memory, buffers, local ports) rather than that a peer refused or failed.
bool is_local_errno(int error_number);

// "out of file descriptors (EMFILE: Too many open files)" and the like: what
// the errno means for a user, with the hint that fits it.
std::string describe_local_errno(int error_number);

}  // namespace racecheck
