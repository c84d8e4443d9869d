#include "cli/transport_flags.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace racecheck {

void add_transport_flags(CLI::App* cmd, TransportFlags& flags) {
  cmd->add_flag("--http2", flags.http2,
                "HTTP/2: negotiated by ALPN on https:// (HTTP/1.1 if the server offers only that), h2c with prior "
                "knowledge on http:// (spec: request.http_version)");
  cmd->add_option("--cacert", flags.cacert, "PEM file of the CA(s) that signed the target's certificate (spec: tls.cacert)");
  cmd->add_flag("--insecure", flags.insecure,
                "do not verify the target's TLS certificate or host name (every report says so)");
  cmd->add_option("--cert", flags.cert, "client certificate (PEM) for a target that wants mTLS (spec: tls.cert)");
  cmd->add_option("--key", flags.key, "private key (PEM) of --cert, when not in that file (spec: tls.key)");
}

std::string unreadable_file_reason(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::strerror(errno);
  if (S_ISDIR(info.st_mode)) return "it is a directory";
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  ::close(fd);
  return "";
}

namespace {

// A file named by a flag: the flag is at fault; by the spec: the spec is.
void check_readable(const std::string& path, const std::string& flag, const std::string& flag_value,
                    const Spec& spec, const std::string& pointer) {
  if (path.empty()) return;
  const std::string reason = unreadable_file_reason(path);
  if (reason.empty()) return;
  if (!flag_value.empty()) throw CLI::ValidationError(flag, path + ": cannot be read: " + reason);
  throw SpecError(spec.file_name, pointer, path + ": cannot be read: " + reason);
}

}  // namespace

void apply_transport_flags(Spec& spec, const TransportFlags& flags) {
  TransportOptions& t = spec.transport;
  if (flags.http2) t.http2 = true;
  if (flags.insecure) t.tls.insecure = true;
  if (!flags.cacert.empty()) t.tls.cacert = flags.cacert;
  if (!flags.cert.empty()) t.tls.cert = flags.cert;
  if (!flags.key.empty()) t.tls.key = flags.key;
  if (!flags.key.empty() && t.tls.cert.empty()) throw CLI::ValidationError("--key", "a key without a certificate (add --cert)");
  check_readable(t.tls.cacert, "--cacert", flags.cacert, spec, "/tls/cacert");
  check_readable(t.tls.cert, "--cert", flags.cert, spec, "/tls/cert");
  check_readable(t.tls.key, "--key", flags.key, spec, "/tls/key");
}

}  // namespace racecheck
