// Where the executor's events go. Every sink assigns the dense `index` itself
// (0, 1, 2, ... in append order), so a tee of sinks agrees on indices.
#pragma once

#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "properties/history.h"

namespace racecheck {

class HistorySink {
 public:
  virtual ~HistorySink() = default;
  // Sets e.index to the next dense index and records the event.
  virtual void append(Event e) = 0;
  // Between begin_batch() and end_batch() a sink may hold appended events and
  // record them together at end_batch(): the executor brackets each pass of
  // its event loop, so a file sink makes one write(2) per pass instead of one
  // per event. Sinks that record at once ignore both.
  virtual void begin_batch() {}
  virtual void end_batch() {}
};

// Holds the sink's batch open for a scope (the executor: one pass of its event
// loop, so one write(2) of a file sink per pass); close() ends it and reports a
// write error, the destructor ends it quietly when an exception is already on
// its way.
class SinkBatch {
 public:
  explicit SinkBatch(HistorySink& sink) : sink_(sink) { sink_.begin_batch(); }
  ~SinkBatch() {
    if (!open_) return;
    try {
      sink_.end_batch();
    } catch (const std::exception&) {
      // The exception already propagating says what went wrong first.
    }
  }
  SinkBatch(const SinkBatch&) = delete;
  SinkBatch& operator=(const SinkBatch&) = delete;
  void close() {
    open_ = false;
    sink_.end_batch();
  }

 private:
  HistorySink& sink_;
  bool open_ = true;
};

// One JSONL line per event, written whole with one write(2) as soon as it is
// appended: a run killed by SIGKILL leaves only complete lines (or one partial
// last line, which parse_history_jsonl drops and reports). Inside a batch the
// lines are collected and written with one write(2) at end_batch() (or when
// 64 KiB have piled up): a kill then loses at most the events of the current
// pass of the executor's loop, microseconds' worth.
class JsonlFileSink : public HistorySink {
 public:
  // Creates or truncates `path`. Throws std::runtime_error naming the path and the reason.
  explicit JsonlFileSink(const std::string& path);
  ~JsonlFileSink() override;
  JsonlFileSink(const JsonlFileSink&) = delete;
  JsonlFileSink& operator=(const JsonlFileSink&) = delete;

  void append(Event e) override;  // throws std::runtime_error on a write error
  void begin_batch() override;
  void end_batch() override;      // throws std::runtime_error on a write error
  // Empties the file and starts again at index 0, keeping it open (closing a
  // truncated and rewritten file makes ext4 flush it: milliseconds per trial).
  // Throws std::runtime_error naming the path when the file cannot be truncated.
  void restart();
  // Starts the events of trial `trial` (1, 2, ...): indices restart at 0 and
  // every event written carries the trial number. The file keeps every trial.
  void begin_trial(std::int64_t trial);
  const std::string& path() const { return path_; }

 private:
  void write_all(const std::string& bytes, std::int64_t first_index);
  void write_pending();

  std::string path_;
  int fd_ = -1;
  std::int64_t next_index_ = 0;
  std::int64_t trial_ = 0;             // 0: no trial numbers (one history)
  bool batching_ = false;
  std::string pending_;                // complete lines held by the current batch
  std::int64_t pending_first_index_ = 0;
};

// Forwards to a sink (not owned) until it throws, then keeps the first error
// and drops the events that follow. A history file that cannot be written (a
// full disk) must not stop the run: what the run proves is reported anyway,
// and the lost history is reported as a local failure.
class FailSoftSink : public HistorySink {
 public:
  explicit FailSoftSink(HistorySink& sink) : sink_(sink) {}
  void append(Event e) override;
  void begin_batch() override;
  void end_batch() override;
  // The first error ("" while every write succeeded).
  const std::string& error() const { return error_; }

 private:
  template <typename Fn>
  void guarded(Fn&& fn);
  HistorySink& sink_;
  std::string error_;
};

// Keeps every event in memory, for checking right after the run.
class MemorySink : public HistorySink {
 public:
  void append(Event e) override;
  const std::vector<Event>& events() const { return events_; }
  std::vector<Event> take_events() { return std::move(events_); }

 private:
  std::vector<Event> events_;
};

// Forwards every event to each of its sinks (not owned), in order.
class TeeSink : public HistorySink {
 public:
  explicit TeeSink(std::vector<HistorySink*> sinks) : sinks_(std::move(sinks)) {}
  void append(Event e) override;
  void begin_batch() override;
  void end_batch() override;

 private:
  std::vector<HistorySink*> sinks_;
  std::int64_t next_index_ = 0;
};

}  // namespace racecheck
