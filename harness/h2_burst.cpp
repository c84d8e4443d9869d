#include "harness/h2_burst.h"

#include <poll.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <nghttp2/nghttp2.h>

#include "harness/executor.h"  // monotonic_ns
#include "harness/local_error.h"

namespace racecheck {

namespace {

// Headers that HTTP/2 forbids or carries as pseudo-headers.
bool connection_specific(const std::string& lower_name) {
  return lower_name == "host" || lower_name == "connection" || lower_name == "keep-alive" ||
         lower_name == "proxy-connection" || lower_name == "transfer-encoding" || lower_name == "upgrade" ||
         lower_name == "te";
}

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

nghttp2_nv make_nv(const std::string& name, const std::string& value) {
  return {const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(name.data())),
          const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

struct H2Burst::Impl {
  struct Entry {
    Impl* burst = nullptr;
    std::size_t index = 0;
    HttpRequest request;
    std::size_t body_offset = 0;
    bool released = false;
    bool cancelled = false;
    bool response_complete = false;
    std::int32_t stream_id = -1;
    H2BurstStream result;
  };

  Impl(std::vector<HttpRequest> requests, H2BurstOptions o) : options(std::move(o)) {
    entries.resize(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i) {
      entries[i].burst = this;
      entries[i].index = i;
      entries[i].request = std::move(requests[i]);
    }
  }
  ~Impl() {
    if (session != nullptr) nghttp2_session_del(session);
  }

  H2BurstOptions options;
  std::vector<Entry> entries;
  H2Connection connection;
  nghttp2_session* session = nullptr;
  H2Url url;
  bool settings_received = false;
  bool ping_acked = false;
  bool connection_failed = false;
  std::string failure;
  std::size_t next_request = 0;  // the first request not yet submitted
  std::size_t round_begin = 0;   // the current round: entries [round_begin, next_request)
  std::uint32_t max_streams = 0;
  std::vector<H2ReleaseRound> rounds;
  std::vector<std::size_t> finished;

  void finish(Entry& e, std::string error, std::string detail) {
    if (e.result.finished) return;
    e.result.finished = true;
    e.result.error = std::move(error);
    e.result.error_detail = std::move(detail);
    finished.push_back(e.index);
  }

  void fail_connection(const std::string& reason, const std::string& detail) {
    connection_failed = true;
    if (failure.empty()) failure = detail;
    for (auto& e : entries) finish(e, reason, detail);
  }

  static ssize_t read_body(nghttp2_session*, std::int32_t, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source* source, void*) {
    auto* e = static_cast<Entry*>(source->ptr);
    const std::string& body = e->request.body;
    const std::size_t remaining = body.size() - e->body_offset;
    std::size_t limit = remaining;
    if (!e->released) {
      // Hold the last byte (or, for a bodyless request, the empty final frame).
      if (remaining <= 1) return NGHTTP2_ERR_DEFERRED;
      limit = remaining - 1;
    }
    const std::size_t n = std::min(length, limit);
    std::copy_n(body.data() + e->body_offset, n, buf);
    e->body_offset += n;
    if (e->released && e->body_offset == body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  static Entry* entry_of(nghttp2_session* session, std::int32_t stream_id) {
    return static_cast<Entry*>(nghttp2_session_get_stream_user_data(session, stream_id));
  }

  static int on_header(nghttp2_session* session, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void*) {
    Entry* e = entry_of(session, frame->hd.stream_id);
    if (e == nullptr || frame->hd.type != NGHTTP2_HEADERS) return 0;
    const std::string n(reinterpret_cast<const char*>(name), namelen);
    const std::string v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":status") {
      e->result.response.status = std::atoi(v.c_str());
      // An interim 1xx response is not the response.
      if (e->result.response.status >= 200) e->result.response_started = true;
    } else if (e->result.response.status >= 200) {
      e->result.response.headers.emplace_back(n, v);
    }
    return 0;
  }

  static int on_data(nghttp2_session* session, std::uint8_t, std::int32_t stream_id, const std::uint8_t* data,
                     std::size_t len, void*) {
    Entry* e = entry_of(session, stream_id);
    if (e == nullptr) return 0;
    std::string& body = e->result.response.body;
    const std::size_t cap = e->burst->options.max_body_bytes;
    const std::size_t room = body.size() < cap ? cap - body.size() : 0;
    body.append(reinterpret_cast<const char*>(data), std::min(room, len));
    if (len > room) e->result.response.body_truncated = true;
    return 0;
  }

  static int on_frame(nghttp2_session* session, const nghttp2_frame* frame, void* user) {
    auto* self = static_cast<Impl*>(user);
    if (frame->hd.type == NGHTTP2_SETTINGS && (frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) {
      self->settings_received = true;
    } else if (frame->hd.type == NGHTTP2_PING && (frame->hd.flags & NGHTTP2_FLAG_ACK) != 0) {
      self->ping_acked = true;
    } else if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
               (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
      Entry* e = entry_of(session, frame->hd.stream_id);
      if (e != nullptr && e->result.response_started) e->response_complete = true;
    }
    return 0;
  }

  static int on_close(nghttp2_session* session, std::int32_t stream_id, std::uint32_t error_code, void*) {
    Entry* e = entry_of(session, stream_id);
    if (e == nullptr) return 0;
    if (e->cancelled) {
      e->burst->finish(*e, "cancelled", "");
    } else if (e->response_complete) {
      e->burst->finish(*e, "", "");
    } else {
      e->burst->finish(*e, "stream-reset",
                       std::string("the server reset the stream: ") + nghttp2_http2_strerror(error_code));
    }
    return 0;
  }

  // Everything nghttp2 has to send, in one buffer.
  std::string serialize() {
    std::string out;
    for (;;) {
      const std::uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session, &data);
      if (n < 0) throw std::runtime_error(std::string("nghttp2_session_mem_send: ") + nghttp2_strerror(static_cast<int>(n)));
      if (n == 0) return out;
      out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
  }

  bool flush() {
    const std::string out = serialize();
    if (out.empty()) return true;
    if (connection.write_all(reinterpret_cast<const std::uint8_t*>(out.data()), out.size(), options.park_timeout_ms)) {
      return true;
    }
    fail_connection("connection-reset", "the connection to " + url.authority + " failed while sending");
    return false;
  }

  // Reads what is there; false when the connection ended.
  bool read_available() {
    std::uint8_t buffer[16384];
    for (;;) {
      const long n = connection.read_some(buffer, sizeof buffer);
      if (n == 0) return true;
      if (n < 0) {
        fail_connection("connection-reset", "the server closed the connection to " + url.authority);
        return false;
      }
      const ssize_t used = nghttp2_session_mem_recv(session, buffer, static_cast<std::size_t>(n));
      if (used < 0) {
        fail_connection("connection-reset", std::string("HTTP/2 protocol error from ") + url.authority + ": " +
                                                nghttp2_strerror(static_cast<int>(used)));
        return false;
      }
    }
  }

  // Blocks until `condition` holds, reading and answering (SETTINGS ACK) meanwhile.
  template <typename Condition>
  bool wait_until(Condition condition, const char* what) {
    const std::int64_t deadline = monotonic_ns() + static_cast<std::int64_t>(options.park_timeout_ms) * 1'000'000;
    while (!condition()) {
      if (connection_failed) return false;
      const std::int64_t left_ms = (deadline - monotonic_ns()) / 1'000'000;
      if (left_ms < 0) {
        fail_connection("timeout", std::string("no ") + what + " from " + url.authority + " within " +
                                       std::to_string(options.park_timeout_ms) + " ms");
        return false;
      }
      pollfd p{connection.fd(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left_ms) + 1) <= 0) continue;
      if (!read_available() || !flush()) return false;
    }
    return true;
  }

  void submit(Entry& e) {
    const HttpRequest& r = e.request;
    H2Url target;
    std::string error;
    if (!parse_h2_url(r.url, target, error)) {
      finish(e, "transport-error", error);
      return;
    }
    std::vector<std::pair<std::string, std::string>> fields = {
        {":method", r.method}, {":scheme", url.tls ? "https" : "http"}, {":authority", url.authority}, {":path", target.path}};
    bool has_length = false;
    for (const auto& [name, value] : r.headers) {
      std::string lower = lowercase(name);
      if (connection_specific(lower)) continue;
      if (lower == "content-length") has_length = true;
      fields.emplace_back(std::move(lower), value);
    }
    if (!has_length && !r.body.empty()) fields.emplace_back("content-length", std::to_string(r.body.size()));
    std::vector<nghttp2_nv> nva;
    nva.reserve(fields.size());
    for (const auto& field : fields) nva.push_back(make_nv(field.first, field.second));
    nghttp2_data_provider provider{};
    provider.source.ptr = &e;
    provider.read_callback = read_body;
    const std::int32_t id = nghttp2_submit_request(session, nullptr, nva.data(), nva.size(), &provider, &e);
    if (id < 0) {
      finish(e, "transport-error", std::string("nghttp2_submit_request: ") + nghttp2_strerror(id));
      return;
    }
    e.stream_id = id;
  }

  // Submits the next round held at the last byte, makes sure the server has
  // read all of it (PING round trip), then writes every final frame at once.
  void release_round() {
    round_begin = next_request;
    const std::size_t size = std::min<std::size_t>(entries.size() - next_request, std::max<std::uint32_t>(max_streams, 1));
    next_request += size;
    for (std::size_t i = round_begin; i < next_request; ++i) submit(entries[i]);
    // nghttp2 sends a PING ahead of pending HEADERS and DATA: the requests go
    // out first, so that the ACK comes after the server read them.
    if (!flush()) return;
    ping_acked = false;
    std::uint8_t ping_data[8] = {'r', 'a', 'c', 'e', 'h', 'e', 'l', 'd'};
    nghttp2_submit_ping(session, NGHTTP2_FLAG_NONE, ping_data);
    if (!flush() || !wait_until([this] { return ping_acked; }, "PING acknowledgement")) return;
    for (std::size_t i = round_begin; i < next_request; ++i) {
      Entry& e = entries[i];
      e.released = true;
      if (e.stream_id > 0 && !e.result.finished) nghttp2_session_resume_data(session, e.stream_id);
    }
    const std::string final_frames = serialize();
    H2ReleaseRound round;
    round.streams = size;
    round.final_write_bytes = final_frames.size();
    const int mss = connection.segment_size();
    round.segments = mss > 0 ? static_cast<int>((final_frames.size() + static_cast<std::size_t>(mss) - 1) /
                                                static_cast<std::size_t>(mss))
                             : 0;
    round.release_ns = monotonic_ns();
    const bool written = connection.write_all(reinterpret_cast<const std::uint8_t*>(final_frames.data()),
                                              final_frames.size(), options.park_timeout_ms);
    const std::int64_t after = monotonic_ns();
    round.write_ns = after - round.release_ns;
    rounds.push_back(round);
    if (!written) {
      fail_connection("connection-reset", "the connection to " + url.authority + " failed at the release");
      return;
    }
    for (std::size_t i = round_begin; i < next_request; ++i) {
      if (entries[i].stream_id > 0) entries[i].result.last_byte_ns = after;
    }
  }

  bool round_closed() const {
    for (std::size_t i = round_begin; i < next_request; ++i) {
      if (!entries[i].result.finished) return false;
    }
    return true;
  }
};

H2Burst::H2Burst(std::vector<HttpRequest> requests, H2BurstOptions options)
    : impl_(std::make_unique<Impl>(std::move(requests), std::move(options))) {}
H2Burst::~H2Burst() = default;

void H2Burst::start() {
  Impl& b = *impl_;
  if (b.entries.empty()) return;
  std::string error;
  if (!parse_h2_url(b.entries[0].request.url, b.url, error)) {
    b.fail_connection("transport-error", error);
    return;
  }
  try {
    b.connection.connect(b.url, b.options.tls, b.options.connect_timeout_ms);
  } catch (const H2ConnectError& e) {
    b.fail_connection(e.reason, e.message);
    return;
  }
  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) throw LocalError("nghttp2_session_callbacks_new: out of memory");
  nghttp2_session_callbacks_set_on_header_callback(callbacks, Impl::on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, Impl::on_data);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, Impl::on_frame);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, Impl::on_close);
  const int created = nghttp2_session_client_new(&b.session, callbacks, &b);
  nghttp2_session_callbacks_del(callbacks);
  if (created != 0) throw LocalError("nghttp2_session_client_new: out of memory");
  nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0}};
  nghttp2_submit_settings(b.session, NGHTTP2_FLAG_NONE, settings, 1);
  if (!b.flush() || !b.wait_until([&b] { return b.settings_received; }, "SETTINGS")) return;
  b.max_streams = nghttp2_session_get_remote_settings(b.session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
  b.release_round();
}

void H2Burst::pump() {
  Impl& b = *impl_;
  if (b.session == nullptr || b.connection_failed) return;
  if (!b.read_available() || !b.flush()) return;
  while (b.next_request < b.entries.size() && b.round_closed() && !b.connection_failed) b.release_round();
}

void H2Burst::cancel(std::size_t index) {
  Impl& b = *impl_;
  Impl::Entry& e = b.entries.at(index);
  if (e.result.finished) return;
  e.cancelled = true;
  if (b.session == nullptr || e.stream_id <= 0 || b.connection_failed) {
    b.finish(e, "cancelled", "");
    return;
  }
  nghttp2_submit_rst_stream(b.session, NGHTTP2_FLAG_NONE, e.stream_id, NGHTTP2_CANCEL);
  b.flush();
  // nghttp2 closes the stream when the RST_STREAM goes out (on_close above).
  b.finish(e, "cancelled", "");
}

int H2Burst::fd() const { return impl_->connection.fd(); }

bool H2Burst::done() const {
  return std::all_of(impl_->entries.begin(), impl_->entries.end(), [](const auto& e) { return e.result.finished; });
}

std::vector<std::size_t> H2Burst::take_finished() { return std::exchange(impl_->finished, {}); }

const H2BurstStream& H2Burst::stream(std::size_t index) const { return impl_->entries.at(index).result; }

const std::vector<H2ReleaseRound>& H2Burst::rounds() const { return impl_->rounds; }

std::uint32_t H2Burst::max_concurrent_streams() const { return impl_->max_streams; }

std::string H2Burst::protocol_error() const { return impl_->failure; }

}  // namespace racecheck
