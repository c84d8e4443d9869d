#include "harness/h2_connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "harness/executor.h"  // monotonic_ns
#include "harness/local_error.h"

namespace racecheck {

bool parse_h2_url(const std::string& url, H2Url& out, std::string& error) {
  std::size_t rest = 0;
  if (url.rfind("http://", 0) == 0) {
    out.tls = false;
    rest = 7;
  } else if (url.rfind("https://", 0) == 0) {
    out.tls = true;
    rest = 8;
  } else {
    error = "not an http:// or https:// URL: " + url;
    return false;
  }
  const std::size_t path_at = url.find_first_of("/?", rest);
  out.authority = url.substr(rest, path_at == std::string::npos ? std::string::npos : path_at - rest);
  out.path = path_at == std::string::npos ? "/" : url.substr(path_at);
  if (out.path[0] == '?') out.path = "/" + out.path;
  std::string host_port = out.authority;
  const std::size_t at = host_port.rfind('@');
  if (at != std::string::npos) host_port = host_port.substr(at + 1);
  std::string port_text;
  if (!host_port.empty() && host_port[0] == '[') {
    const std::size_t close = host_port.find(']');
    if (close == std::string::npos) {
      error = "unterminated IPv6 address in " + url;
      return false;
    }
    out.host = host_port.substr(1, close - 1);
    if (close + 1 < host_port.size() && host_port[close + 1] == ':') port_text = host_port.substr(close + 2);
  } else {
    const std::size_t colon = host_port.rfind(':');
    out.host = host_port.substr(0, colon);
    if (colon != std::string::npos) port_text = host_port.substr(colon + 1);
  }
  if (out.host.empty()) {
    error = "no host in " + url;
    return false;
  }
  out.port = out.tls ? 443 : 80;
  if (!port_text.empty()) {
    if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port_text) < 1 || std::stoi(port_text) > 65535) {
      error = "bad port '" + port_text + "' in " + url;
      return false;
    }
    out.port = std::stoi(port_text);
  }
  return true;
}

namespace {

std::string openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char line[256];
    ERR_error_string_n(code, line, sizeof line);
    if (!text.empty()) text += "; ";
    text += line;
  }
  return text.empty() ? "unknown TLS error" : text;
}

// Waits for `events` on fd until deadline_ns; false on timeout.
bool wait_for(int fd, short events, std::int64_t deadline_ns) {
  for (;;) {
    const std::int64_t left_ms = (deadline_ns - monotonic_ns()) / 1'000'000;
    if (left_ms < 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left_ms) + 1);
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

}  // namespace

H2Connection::~H2Connection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  if (fd_ >= 0) ::close(fd_);
}

void H2Connection::connect(const H2Url& url, const H2TlsOptions& tls, int timeout_ms) {
  const std::int64_t deadline = monotonic_ns() + static_cast<std::int64_t>(timeout_ms) * 1'000'000;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url.port);
  if (::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    throw H2ConnectError("cannot-resolve-host", "cannot resolve host " + url.host);
  }
  std::string last_error = "no address";
  std::string reason = "connection-refused";
  for (addrinfo* a = found; a != nullptr && fd_ < 0; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
      const int e = errno;
      ::freeaddrinfo(found);
      if (is_local_errno(e)) throw LocalError("socket() for HTTP/2 failed: " + describe_local_errno(e));
      throw H2ConnectError("transport-error", std::string("socket(): ") + std::strerror(e));
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      if (!wait_for(fd, POLLOUT, deadline)) {
        ::close(fd);
        reason = "timeout";
        last_error = "connect timed out";
        continue;
      }
      int so_error = 0;
      socklen_t len = sizeof so_error;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
      errno = so_error;
      rc = so_error == 0 ? 0 : -1;
    }
    if (rc != 0) {
      last_error = std::strerror(errno);
      ::close(fd);
      continue;
    }
    fd_ = fd;
  }
  ::freeaddrinfo(found);
  if (fd_ < 0) throw H2ConnectError(reason, "cannot connect to " + url.authority + ": " + last_error);
  if (!url.tls) return;

  ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx_ == nullptr) throw LocalError("SSL_CTX_new failed: " + openssl_errors());
  static const unsigned char alpn[] = {2, 'h', '2'};
  SSL_CTX_set_alpn_protos(ctx_, alpn, sizeof alpn);
  if (tls.insecure) {
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    const bool loaded = tls.cacert.empty() ? SSL_CTX_set_default_verify_paths(ctx_) == 1
                                           : SSL_CTX_load_verify_locations(ctx_, tls.cacert.c_str(), nullptr) == 1;
    if (!loaded) throw H2ConnectError("tls-error", "cannot load CA certificates " + tls.cacert + ": " + openssl_errors());
  }
  if (!tls.cert.empty()) {
    const std::string& key = tls.key.empty() ? tls.cert : tls.key;
    if (SSL_CTX_use_certificate_chain_file(ctx_, tls.cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM) != 1) {
      throw H2ConnectError("tls-error", "cannot load client certificate " + tls.cert + ": " + openssl_errors());
    }
  }
  ssl_ = SSL_new(ctx_);
  if (ssl_ == nullptr) throw LocalError("SSL_new failed: " + openssl_errors());
  in6_addr address6{};
  in_addr address4{};
  const bool is_ip = ::inet_pton(AF_INET, url.host.c_str(), &address4) == 1 ||
                     ::inet_pton(AF_INET6, url.host.c_str(), &address6) == 1;
  if (!is_ip) SSL_set_tlsext_host_name(ssl_, url.host.c_str());
  if (!tls.insecure) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    if (is_ip) X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str());
    else X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), 0);
  }
  SSL_set_fd(ssl_, fd_);
  for (;;) {
    const int rc = SSL_connect(ssl_);
    if (rc == 1) break;
    const int e = SSL_get_error(ssl_, rc);
    short events = 0;
    if (e == SSL_ERROR_WANT_READ) events = POLLIN;
    else if (e == SSL_ERROR_WANT_WRITE) events = POLLOUT;
    else {
      std::string detail = openssl_errors();
      const long verify = SSL_get_verify_result(ssl_);
      if (verify != X509_V_OK) detail = X509_verify_cert_error_string(verify);
      throw H2ConnectError("tls-error", "TLS handshake with " + url.authority + " failed: " + detail);
    }
    if (!wait_for(fd_, events, deadline)) throw H2ConnectError("timeout", "TLS handshake with " + url.authority + " timed out");
  }
  const unsigned char* protocol = nullptr;
  unsigned int protocol_length = 0;
  SSL_get0_alpn_selected(ssl_, &protocol, &protocol_length);
  if (protocol_length != 2 || std::memcmp(protocol, "h2", 2) != 0) {
    throw H2ConnectError("not-h2", url.authority + " did not negotiate HTTP/2 (ALPN h2)");
  }
}

bool H2Connection::write_all(const std::uint8_t* data, std::size_t size, int timeout_ms) {
  const std::int64_t deadline = monotonic_ns() + static_cast<std::int64_t>(timeout_ms) * 1'000'000;
  std::size_t done = 0;
  while (done < size) {
    short events = POLLOUT;
    if (ssl_ != nullptr) {
      // An SSL_write retried after WANT_WRITE must pass the same buffer and length.
      const int rc = SSL_write(ssl_, data, static_cast<int>(size));
      if (rc > 0) return true;
      const int e = SSL_get_error(ssl_, rc);
      if (e == SSL_ERROR_WANT_READ) events = POLLIN;
      else if (e != SSL_ERROR_WANT_WRITE) return false;
    } else {
      const ssize_t n = ::send(fd_, data + done, size - done, MSG_NOSIGNAL);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
    }
    if (!wait_for(fd_, events, deadline)) return false;
  }
  return true;
}

long H2Connection::read_some(std::uint8_t* buffer, std::size_t size) {
  if (ssl_ != nullptr) {
    const int rc = SSL_read(ssl_, buffer, static_cast<int>(size));
    if (rc > 0) return rc;
    const int e = SSL_get_error(ssl_, rc);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
  }
  const ssize_t n = ::recv(fd_, buffer, size, 0);
  if (n > 0) return static_cast<long>(n);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
  return -1;
}

int H2Connection::segment_size() const {
  int mss = 0;
  socklen_t len = sizeof mss;
  if (::getsockopt(fd_, IPPROTO_TCP, TCP_MAXSEG, &mss, &len) != 0) return 0;
  return mss;
}

}  // namespace racecheck
