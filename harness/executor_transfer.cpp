#include "harness/executor_transfer.h"

#include <algorithm>
#include <cstring>

#include "harness/executor_clock.h"
#include "harness/op_steps.h"

namespace racecheck::executor_detail {

namespace {

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t room = size * count;
  const std::string& body = t->request.body;
  const std::size_t remaining = body.size() - t->body_offset;
  if (remaining == 0) return 0;
  std::size_t limit = remaining;
  if (t->held && !t->released) {
    if (remaining == 1) {
      t->parked = true;
      return CURL_READFUNC_PAUSE;
    }
    limit = remaining - 1;
  }
  const std::size_t n = std::min(room, limit);
  std::memcpy(buffer, body.data() + t->body_offset, n);
  t->body_offset += n;
  // Handed to libcurl, which writes it to the socket in this same perform pass.
  if (t->body_offset == body.size()) t->last_byte_ns = monotonic_ns();
  return n;
}

}  // namespace

void configure_transfer(CURL* easy, Transfer& t, const ExecutorOptions& options) {
  EasyOptions easy_options;
  easy_options.connect_timeout_ms = options.connect_timeout_ms;
  // Our own deadlines decide "timeout" (libcurl's keeps running while a transfer
  // is parked); this is only a backstop.
  easy_options.timeout_ms = options.request_timeout_ms + options.burst_park_timeout_ms + 1000;
  easy_options.tcp_nodelay = true;
  easy_options.body_source = t.held ? BodySource::Callback : BodySource::Memory;
  easy_options.http2 = options.http2;
  easy_options.tls = &options.tls;
  configure_easy(easy, t.request, t.exchange, easy_options);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, &t);
  if (t.held) {
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(easy, CURLOPT_READDATA, &t);
  } else {
    curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, stamp_request_start);
    curl_easy_setopt(easy, CURLOPT_PREREQDATA, &t.last_byte_ns);
  }
}

void reset_for_next_step(Transfer& t) {
  t.exchange.release_headers();
  t.exchange.response = HttpResponse{};
  t.exchange.response_started = false;
  t.exchange.error_buffer[0] = '\0';
  t.exchange.socket_errno = 0;
  t.body_offset = 0;
  t.held = false;
  t.parked = false;
  t.last_byte_ns = -1;
}

Event op_event(const Transfer& t, std::optional<Outcome> outcome) {
  Event e;
  e.process = t.client;
  e.type = !outcome                     ? EventType::Invoke
           : *outcome == Outcome::Ok   ? EventType::Ok
           : *outcome == Outcome::Fail ? EventType::Fail
                                       : EventType::Info;
  e.f = t.op->f;
  e.value = t.op->args;
  e.key = t.op->key;
  e.invalid = t.op->invalid;
  e.read_as = t.op->read_as;
  e.attempt = t.attempt;
  e.instance = t.instance;
  return e;
}

json step_record(const Transfer& t, int status, const std::string& error, std::int64_t now_ns,
                 std::int64_t origin_ns) {
  json record = {{"step", t.step.step},
                 {"round", t.step.round},
                 {"method", t.request.method},
                 {"path", url_path(t.request.url)},
                 {"status", status},
                 {"sent_ns", t.last_byte_ns >= 0 ? t.last_byte_ns - origin_ns : -1},
                 {"done_ns", now_ns - origin_ns}};
  if (!error.empty()) record["error"] = error;
  return record;
}

bool loses_response(const Transfer& t) {
  return t.op->lose_response && t.attempt == 1 && (t.sequence == nullptr || t.step.last_step);
}

}  // namespace racecheck::executor_detail
