// One client connection for HTTP/2 used through nghttp2 directly: TCP (with
// TCP_NODELAY, so a write leaves at once) and, for https://, OpenSSL with ALPN
// "h2", SNI and certificate verification. After connect() the socket is
// non-blocking; write_all() hands a buffer to ONE send() or ONE SSL_write() (one
// TLS record up to 16 KiB), retried only while the socket buffer is full.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

#include "harness/transport_options.h"

namespace racecheck {

using H2TlsOptions = TlsOptions;  // the run's TLS settings (harness/transport_options.h)

struct H2Url {
  bool tls = false;
  std::string host;       // without brackets for IPv6
  int port = 0;
  std::string authority;  // host[:port] as in the URL
  std::string path;       // path and query, "/" at least
};

// Parses an absolute http:// or https:// URL; false with `error` otherwise.
bool parse_h2_url(const std::string& url, H2Url& out, std::string& error);

// Thrown by connect(): `reason` is the history's label ("connection-refused",
// "timeout", "tls-error", "cannot-resolve-host", "not-h2"), what() the message.
struct H2ConnectError : std::exception {
  H2ConnectError(std::string r, std::string m) : reason(std::move(r)), message(std::move(m)) {}
  const char* what() const noexcept override { return message.c_str(); }
  std::string reason;
  std::string message;
};

class H2Connection {
 public:
  H2Connection() = default;
  ~H2Connection();
  H2Connection(const H2Connection&) = delete;
  H2Connection& operator=(const H2Connection&) = delete;

  // Blocking up to timeout_ms in total; throws H2ConnectError, or LocalError
  // when this machine is out of descriptors or memory.
  void connect(const H2Url& url, const H2TlsOptions& tls, int timeout_ms);

  int fd() const { return fd_; }
  // One send()/SSL_write() of the whole buffer, waiting at most timeout_ms while
  // the socket buffer is full. False when the connection failed.
  bool write_all(const std::uint8_t* data, std::size_t size, int timeout_ms);
  // Non-blocking: >0 bytes read, 0 nothing available now, -1 the peer closed or failed.
  long read_some(std::uint8_t* buffer, std::size_t size);
  // TCP_MAXSEG of the connection (0 if unknown): how many bytes one segment carries.
  int segment_size() const;

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

}  // namespace racecheck
