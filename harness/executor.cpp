#include "harness/executor.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <list>
#include <stdexcept>

#include <curl/curl.h>

#include "harness/curl_init.h"
#include "harness/executor_clock.h"
#include "harness/executor_transfer.h"
#include "harness/http_request.h"
#include "harness/local_error.h"
#include "harness/single_packet_release.h"
#include "harness/spec_protocol.h"  // UnsendableRequest

namespace racecheck {

namespace {

using executor_detail::Transfer;
using executor_detail::op_event;

struct ClientState {
  std::size_t next_op = 0;
  int attempt = 1;
  int instance = 0;
  std::int64_t due_ns = 0;
  bool busy = false;  // an attempt is in flight (or waiting for the burst release)
  bool done = false;
};

}  // namespace

struct Executor::Impl {
  explicit Impl(ExecutorOptions o) : options(o) {
    ensure_curl_initialized();
    multi = curl_multi_init();
    if (multi == nullptr) throw LocalError("curl_multi_init failed (out of memory or descriptors)");
    // One request per connection at a time (HTTP/2 too): a burst of N needs N connections.
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_NOTHING);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);
    wake_timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (wake_timer < 0) {
      const int error_number = errno;
      curl_multi_cleanup(multi);
      throw LocalError("timerfd_create failed: " + describe_local_errno(error_number));
    }
  }
  ~Impl() {
    for (CURL* h : idle_easy) curl_easy_cleanup(h);
    curl_multi_cleanup(multi);
    close(wake_timer);
  }

  ExecutorOptions options;
  CURLM* multi = nullptr;
  // Easy handles of finished transfers, reset and ready for the next one: a
  // handle per request would cost its allocations on every request.
  std::vector<CURL*> idle_easy;
  // Wakes curl_multi_poll at the executor's own next deadline (a client's due
  // time, a retry backoff, a stagger) with microsecond precision.
  int wake_timer = -1;
};

namespace {

// The state of one run; its destructor releases every handle still open, so an
// exception (protocol, sink) leaves the Executor reusable.
class Run {
 public:
  Run(CURLM* multi, std::vector<CURL*>& idle_easy, int wake_timer, const ExecutorOptions& options,
      const Scenario& scenario, Protocol& protocol, HistorySink& sink)
      : multi_(multi), idle_easy_(idle_easy), wake_timer_(wake_timer), options_(options), scenario_(scenario),
        protocol_(protocol), sink_(sink) {}

  ~Run() {
    for (auto& t : active_) release_handle(*t);
  }

  ExecutorResult execute(std::int64_t origin_ns);

 private:
  std::int64_t rel(std::int64_t ns) const { return ns < 0 ? -1 : ns - origin_ns_; }

  std::unique_ptr<Transfer> make_transfer(int client, bool held, bool via_h2 = false);
  CURL* acquire_easy();  // a pooled handle with default options, or a new one
  void add_to_multi(Transfer& t, std::int64_t now);
  void release_handle(Transfer& t);
  void record_invoke(Transfer& t);
  void complete(std::list<std::unique_ptr<Transfer>>::iterator it, Outcome outcome, std::string error,
                const json& extracted, bool with_response);
  void finish_done_message(CURL* easy, CURLcode code);
  void complete_not_sent(std::list<std::unique_ptr<Transfer>>::iterator it) {
    Transfer& t = **it;
    // A guard step may end the op as info (its operands were not integers); all else is fail.
    const Outcome outcome = t.sequence != nullptr && !t.step.send ? t.step.result.outcome : Outcome::Fail;
    std::string why = std::move(t.not_sent);
    complete(it, outcome, std::move(why), json::object(), false);
  }
  void next_step(std::list<std::unique_ptr<Transfer>>::iterator it);
  void release_burst(std::int64_t now);
  bool burst_ready() const;
  void start_due_clients(std::int64_t now);
  void check_timers(std::int64_t now);
  std::int64_t next_wakeup_ns(std::int64_t now) const;
  void finish_h2_streams(std::int64_t now);
  void abandon_all();

  CURLM* multi_;
  std::vector<CURL*>& idle_easy_;
  int wake_timer_;
  const ExecutorOptions& options_;
  const Scenario& scenario_;
  Protocol& protocol_;
  HistorySink& sink_;

  std::int64_t origin_ns_ = 0;
  std::vector<ClientState> clients_;
  std::list<std::unique_ptr<Transfer>> active_;
  bool burst_pending_ = false;
  std::int64_t burst_park_deadline_ns_ = 0;
  std::vector<std::int64_t> burst_sent_ns_;
  SinglePacketRelease single_packet_;
  ExecutorResult result_;
};

std::unique_ptr<Transfer> Run::make_transfer(int client_index, bool held, bool via_h2) {
  ClientState& c = clients_[client_index];
  const ClientProgram& program = scenario_.clients[client_index];
  const ScenarioOp& op = program.ops[c.next_op];
  if (c.attempt == 1) {
    const int pinned = protocol_.pinned_instance(op);
    c.instance = pinned >= 0 ? pinned
                 : program.instance >= 0 ? program.instance
                                         : protocol_.pick_instance(client_index, static_cast<int>(c.next_op));
  }
  auto t = std::make_unique<Transfer>();
  t->client = client_index;
  t->op_index = static_cast<int>(c.next_op);
  t->attempt = c.attempt;
  t->instance = c.instance;
  t->op = &op;
  HttpRequest request;
  std::string not_sent;
  try {
    t->sequence = protocol_.begin_sequence(op, c.instance);
    if (t->sequence != nullptr) {
      t->step = t->sequence->start();
      // A guard refused before any request: the op fails with its label.
      if (!t->step.send) not_sent = t->step.result.error;
      request = std::move(t->step.request);
    } else {
      request = protocol_.render(op, c.instance);
    }
  } catch (const UnsendableRequest& e) {
    not_sent = e.what();
  }
  if (!not_sent.empty()) {
    // Completed by the caller as fail: nothing went out, so nothing took effect.
    t->not_sent = std::move(not_sent);
    c.busy = true;
    t->invoke_ns = monotonic_ns();
    return t;
  }
  t->request = std::move(request);
  t->bodyless = t->request.body.empty();
  t->held = held && !t->bodyless;
  t->lose = executor_detail::loses_response(*t);
  t->exchange.max_body_bytes = options_.max_body_bytes;
  t->exchange.discard_response = t->lose;
  c.busy = true;
  t->invoke_ns = monotonic_ns();
  ++result_.requests_sent;
  if (via_h2) {
    t->via_h2 = t->held = true;  // bodyless too: held by its empty final frame
    t->h2_member = single_packet_.add(t->request);
    return t;
  }

  t->easy = acquire_easy();
  executor_detail::configure_transfer(t->easy, *t, options_);
  return t;
}

CURL* Run::acquire_easy() {
  if (idle_easy_.empty()) {
    CURL* h = curl_easy_init();
    if (h == nullptr) throw LocalError("curl_easy_init failed (out of memory)");
    return h;
  }
  CURL* h = idle_easy_.back();
  idle_easy_.pop_back();
  return h;
}

void Run::add_to_multi(Transfer& t, std::int64_t now) {
  t.deadline_ns = now + static_cast<std::int64_t>(options_.request_timeout_ms) * 1'000'000 +
                  (t.held ? static_cast<std::int64_t>(options_.burst_park_timeout_ms) * 1'000'000 : 0);
  const CURLMcode added = curl_multi_add_handle(multi_, t.easy);
  if (added == CURLM_OUT_OF_MEMORY) throw LocalError("curl_multi_add_handle: out of memory");
  if (added != CURLM_OK) throw std::runtime_error(std::string("curl_multi_add_handle failed: ") + curl_multi_strerror(added));
  t.in_multi = true;
}

void Run::release_handle(Transfer& t) {
  if (t.via_h2 && t.in_multi) {
    single_packet_.cancel(t.h2_member);  // RST_STREAM if still open
    t.in_multi = false;
  }
  if (t.easy != nullptr) {
    if (t.in_multi) curl_multi_remove_handle(multi_, t.easy);
    // Back to the pool with every option at its default; the connection it used
    // stays in the multi handle's cache.
    curl_easy_reset(t.easy);
    idle_easy_.push_back(t.easy);
    t.easy = nullptr;
    t.in_multi = false;
  }
  t.exchange.release_headers();
}

// The invoke event is written once the request's last byte is out (so it can
// carry sent_ns), or at completion if it never went out. Its time_ns is still
// the moment the attempt started.
void Run::record_invoke(Transfer& t) {
  if (t.invoke_recorded) return;
  t.invoke_recorded = true;
  Event e = op_event(t, std::nullopt);
  e.time_ns = rel(t.invoke_ns);
  e.sent_ns = rel(t.last_byte_ns);
  if (t.held && t.released) e.release = release_method_name(t.via_h2 ? ReleaseMethod::SinglePacket : ReleaseMethod::LastByte);
  sink_.append(std::move(e));
}

void Run::complete(std::list<std::unique_ptr<Transfer>>::iterator it, Outcome outcome, std::string error,
                   const json& extracted, bool with_response) {
  Transfer& t = **it;
  const std::int64_t now = monotonic_ns();
  long connects = 0;
  if (t.easy != nullptr && curl_easy_getinfo(t.easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK) {
    result_.new_connections += connects;
  }
  std::string protocol;
  if (with_response) protocol = t.easy != nullptr ? negotiated_protocol(t.easy) : kProtocolHttp2;  // else a single-packet stream
  fold_protocol(result_.protocol, protocol);
  release_handle(t);
  record_invoke(t);
  if (t.sequence != nullptr && t.step.send) {
    // The step in flight ends with the op: its response, or why there is none.
    const int status = with_response ? t.exchange.response.status : 0;
    t.steps.push_back(executor_detail::step_record(t, status, with_response ? "" : error, now, origin_ns_));
    t.step.send = false;
  }

  Event e = op_event(t, outcome);
  if (e.value.is_object() && extracted.is_object()) e.value.update(extracted);
  if (with_response) {
    e.status = t.exchange.response.status;
    e.body = std::move(t.exchange.response.body);  // the transfer ends here
    e.body_truncated = t.exchange.response.body_truncated;
  }
  e.error = error;
  e.protocol = std::move(protocol);
  if (t.sequence != nullptr) e.steps = std::move(t.steps);
  e.time_ns = rel(now);
  sink_.append(std::move(e));

  if (t.last_byte_ns >= 0) ++result_.requests_fully_sent;
  if (t.held && t.released && t.last_byte_ns >= 0) burst_sent_ns_.push_back(t.last_byte_ns);
  result_.latencies_ns.push_back(now - (t.last_byte_ns >= 0 ? t.last_byte_ns : t.invoke_ns));
  switch (outcome) {
    case Outcome::Ok: ++result_.ok; break;
    case Outcome::Fail: ++result_.fail; break;
    case Outcome::Info: ++result_.info; ++result_.info_reasons[error.empty() ? "info" : error]; break;
  }

  ClientState& c = clients_[t.client];
  const ScenarioOp& op = *t.op;
  c.busy = false;
  if (outcome == Outcome::Info && t.attempt < op.max_attempts) {
    c.attempt = t.attempt + 1;
    c.due_ns = now + static_cast<std::int64_t>(options_.retry_backoff_us) * 1000 * t.attempt;
  } else {
    ++c.next_op;
    c.attempt = 1;
    const auto& ops = scenario_.clients[t.client].ops;
    if (c.next_op >= ops.size()) {
      c.done = true;
    } else {
      c.due_ns = now + static_cast<std::int64_t>(ops[c.next_op].delay_us) * 1000;
    }
  }
  active_.erase(it);
}

void Run::finish_done_message(CURL* easy, CURLcode code) {
  auto it = std::find_if(active_.begin(), active_.end(), [&](const auto& t) { return t->easy == easy; });
  if (it == active_.end()) return;
  Transfer& t = **it;
  // A request that failed on this machine never reached the target: it is no
  // outcome of the target's (not "connection-refused"), and transport_failure
  // throws LocalError, which stops the run.
  std::string failure_reason;
  if (code != CURLE_OK) {
    failure_reason = transport_failure(easy, code, t.exchange, t.request.url, options_.request_timeout_ms).reason;
  }
  if (t.lose && (t.exchange.response_started || code == CURLE_OK)) {
    complete(it, Outcome::Info, "lost-response", json::object(), false);
    return;
  }
  if (code != CURLE_OK) {
    complete(it, Outcome::Info, std::move(failure_reason), json::object(), false);
    return;
  }
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  t.exchange.response.status = static_cast<int>(status);
  if (t.sequence != nullptr) {
    next_step(it);
    return;
  }
  const Classification verdict = protocol_.classify(*t.op, t.exchange.response);
  complete(it, verdict.outcome, verdict.error, verdict.extracted, true);
}

// A step of a multi-request op got its response: the sequence ends the op or
// names the next request, sent at once on the same handle, never held.
void Run::next_step(std::list<std::unique_ptr<Transfer>>::iterator it) {
  Transfer& t = **it;
  const std::int64_t now = monotonic_ns();
  record_invoke(t);  // the op's invoke carries its first request's send
  t.steps.push_back(executor_detail::step_record(t, t.exchange.response.status, "", now, origin_ns_));
  t.step.send = false;
  SequenceAction next = t.sequence->on_response(t.exchange.response);
  if (!next.send) {
    complete(it, next.result.outcome, next.result.error, next.result.extracted, next.judged_response);
    return;
  }
  if (t.held && t.released && t.last_byte_ns >= 0) burst_sent_ns_.push_back(t.last_byte_ns);
  if (t.via_h2) {
    // The first step went out in the single-packet burst; the rest use libcurl.
    t.via_h2 = false;
    t.easy = acquire_easy();
  } else {
    long connects = 0;
    if (curl_easy_getinfo(t.easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK) result_.new_connections += connects;
    curl_multi_remove_handle(multi_, t.easy);
    curl_easy_reset(t.easy);
  }
  t.in_multi = false;
  executor_detail::reset_for_next_step(t);
  t.step = std::move(next);
  t.request = std::move(t.step.request);
  t.bodyless = t.request.body.empty();
  t.lose = executor_detail::loses_response(t);
  t.exchange.discard_response = t.lose;
  executor_detail::configure_transfer(t.easy, t, options_);
  add_to_multi(t, now);
}

bool Run::burst_ready() const {
  for (const auto& t : active_) {
    if (t->held && !t->parked) return false;
  }
  return true;
}

void Run::release_burst(std::int64_t now) {
  burst_pending_ = false;
  if (!burst_ready()) result_.burst_park_timed_out = true;
  const std::int64_t deadline = now + static_cast<std::int64_t>(options_.request_timeout_ms) * 1'000'000;
  for (auto& t : active_) {
    if (t->held) {
      t->released = true;
      t->deadline_ns = deadline;
      ++result_.burst_synchronized;
      if (t->parked) curl_easy_pause(t->easy, CURLPAUSE_CONT);
    } else if (!t->in_multi) {
      ++result_.burst_unsynchronized;
      add_to_multi(*t, now);
    }
  }
}

void Run::start_due_clients(std::int64_t now) {
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    ClientState& c = clients_[i];
    if (c.done || c.busy || c.due_ns > now) continue;
    active_.push_back(make_transfer(static_cast<int>(i), false));
    if (!active_.back()->not_sent.empty()) {
      complete_not_sent(std::prev(active_.end()));
      continue;
    }
    add_to_multi(*active_.back(), monotonic_ns());
  }
}

void Run::check_timers(std::int64_t now) {
  const std::int64_t grace = static_cast<std::int64_t>(options_.lost_response_grace_ms) * 1'000'000;
  for (auto it = active_.begin(); it != active_.end();) {
    auto next = std::next(it);
    Transfer& t = **it;
    if (t.in_multi && t.lose && t.last_byte_ns >= 0 && now >= t.last_byte_ns + grace) {
      complete(it, Outcome::Info, "lost-response", json::object(), false);
    } else if (t.in_multi && !(t.held && !t.released) && now >= t.deadline_ns) {
      complete(it, Outcome::Info, "timeout", json::object(), false);
    }
    it = next;
  }
  for (auto& t : active_) {
    if (t->last_byte_ns >= 0 && !t->invoke_recorded) record_invoke(*t);
  }
}

std::int64_t Run::next_wakeup_ns(std::int64_t now) const {
  std::int64_t next = now + 100'000'000;  // look around at least every 100 ms
  for (const auto& c : clients_) {
    if (!c.done && !c.busy) next = std::min(next, c.due_ns);
  }
  const std::int64_t grace = static_cast<std::int64_t>(options_.lost_response_grace_ms) * 1'000'000;
  for (const auto& t : active_) {
    if (!t->in_multi) continue;
    if (t->lose && t->last_byte_ns >= 0) next = std::min(next, t->last_byte_ns + grace);
    if (!(t->held && !t->released)) next = std::min(next, t->deadline_ns);
  }
  if (burst_pending_) next = std::min(next, burst_park_deadline_ns_);
  return next;
}

// Reads the single-packet connections and completes the streams that ended,
// as finish_done_message does for libcurl's transfers. A stream has the
// request timeout from its release (a later round's from its own).
void Run::finish_h2_streams(std::int64_t now) {
  single_packet_.pump();
  const std::int64_t timeout = static_cast<std::int64_t>(options_.request_timeout_ms) * 1'000'000;
  for (auto& t : active_) {
    if (!t->via_h2 || t->last_byte_ns >= 0) continue;
    if (!t->released) {
      t->released = t->in_multi = true;
      t->deadline_ns = now + timeout;
      ++result_.burst_synchronized;
    }
    t->last_byte_ns = single_packet_.stream(t->h2_member).last_byte_ns;
    if (t->last_byte_ns >= 0) t->deadline_ns = t->last_byte_ns + timeout;
  }
  for (const std::size_t member : single_packet_.take_finished()) {
    auto it = std::find_if(active_.begin(), active_.end(),
                           [member](const auto& t) { return t->via_h2 && t->h2_member == member; });
    if (it == active_.end()) continue;  // already completed (a timeout, a lost response)
    Transfer& t = **it;
    const H2BurstStream& stream = single_packet_.stream(member);
    t.in_multi = false;
    if (t.lose && (stream.response_started || stream.error.empty())) {
      complete(it, Outcome::Info, "lost-response", json::object(), false);
    } else if (!stream.error.empty()) {
      complete(it, Outcome::Info, stream.error, json::object(), false);
    } else {
      t.exchange.response = stream.response;  // h2_burst refuses a connection that is not h2
      if (t.sequence != nullptr) {
        next_step(it);
        continue;
      }
      const Classification verdict = protocol_.classify(*t.op, t.exchange.response);
      complete(it, verdict.outcome, verdict.error, verdict.extracted, true);
    }
  }
}

// Ends every attempt in flight as info "interrupted" (recorded, with its invoke)
// and starts nothing more.
void Run::abandon_all() {
  SinkBatch batch(sink_);
  while (!active_.empty()) complete(active_.begin(), Outcome::Info, "interrupted", json::object(), false);
  for (auto& c : clients_) c.done = true;
  burst_pending_ = false;
  result_.interrupted = true;
  batch.close();
}

ExecutorResult Run::execute(std::int64_t origin_ns) {
  const std::int64_t start_ns = monotonic_ns();
  origin_ns_ = origin_ns >= 0 ? origin_ns : start_ns;
  clients_.resize(scenario_.clients.size());
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    const auto& ops = scenario_.clients[i].ops;
    if (ops.empty()) {
      clients_[i].done = true;
      continue;
    }
    if (scenario_.release == Release::Staggered) {
      clients_[i].due_ns = start_ns + static_cast<std::int64_t>(i) * scenario_.stagger_us * 1000 +
                           static_cast<std::int64_t>(ops[0].delay_us) * 1000;
    } else {
      clients_[i].due_ns = start_ns;
    }
  }

  const bool single_packet = options_.release_method == ReleaseMethod::SinglePacket;
  if (scenario_.release == Release::Burst) {
    // Every first request is started now: bodied ones run up to their last byte
    // and park; bodyless ones wait outside the multi handle for the release.
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      if (clients_[i].done) continue;
      active_.push_back(make_transfer(static_cast<int>(i), true, single_packet));
      Transfer& t = *active_.back();
      if (!t.not_sent.empty()) {
        complete_not_sent(std::prev(active_.end()));
        continue;
      }
      if (t.held && !t.via_h2) add_to_multi(t, monotonic_ns());
    }
    if (single_packet) single_packet_.start(options_);
    burst_pending_ = !single_packet && !active_.empty();
    burst_park_deadline_ns_ = monotonic_ns() + static_cast<std::int64_t>(options_.burst_park_timeout_ms) * 1'000'000;
  }

  for (;;) {
    if (options_.stop_requested != nullptr && options_.stop_requested()) {
      abandon_all();
      break;
    }
    std::int64_t now = monotonic_ns();
    if (!burst_pending_) start_due_clients(now);
    if (burst_pending_ && (burst_ready() || now >= burst_park_deadline_ns_)) release_burst(now);

    {
      SinkBatch batch(sink_);  // the events of this pass go out together
      int running = 0;
      curl_multi_perform(multi_, &running);
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
        if (msg->msg == CURLMSG_DONE) finish_done_message(msg->easy_handle, msg->data.result);
      }
      if (single_packet) finish_h2_streams(now);
      now = monotonic_ns();
      check_timers(now);
      batch.close();
    }

    const bool all_done = std::all_of(clients_.begin(), clients_.end(), [](const auto& c) { return c.done; });
    if (all_done && active_.empty()) break;

    if (burst_pending_ && burst_ready()) continue;  // release right away
    wait_for_activity(multi_, wake_timer_, next_wakeup_ns(now), now, single_packet_.fds());
  }

  result_.elapsed_ns = monotonic_ns() - start_ns;
  result_.single_packet_writes = single_packet_.rounds();
  if (!burst_sent_ns_.empty()) {
    const auto [lo, hi] = std::minmax_element(burst_sent_ns_.begin(), burst_sent_ns_.end());
    result_.burst_spread_ns = *hi - *lo;
  }
  return std::move(result_);
}

}  // namespace

Executor::Executor(ExecutorOptions options) : impl_(std::make_unique<Impl>(options)) {}
Executor::~Executor() = default;

const ExecutorOptions& Executor::options() const { return impl_->options; }

ExecutorResult Executor::run(const Scenario& scenario, Protocol& protocol, HistorySink& sink,
                             std::int64_t origin_ns) {
  long max_connections = impl_->options.max_connections;
  if (max_connections <= 0) {
    max_connections = std::max<long>(64, 2 * static_cast<long>(scenario.clients.size()));
  }
  max_connections = std::max<long>(max_connections, static_cast<long>(scenario.clients.size()));
  curl_multi_setopt(impl_->multi, CURLMOPT_MAXCONNECTS, max_connections);
  Run run(impl_->multi, impl_->idle_easy, impl_->wake_timer, impl_->options, scenario, protocol, sink);
  return run.execute(origin_ns);
}

}  // namespace racecheck
