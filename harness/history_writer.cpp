#include "harness/history_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "harness/local_error.h"

namespace racecheck {

JsonlFileSink::JsonlFileSink(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw LocalError(path + ": cannot open history file for writing: " + std::strerror(errno));
  }
}

JsonlFileSink::~JsonlFileSink() {
  if (fd_ < 0) return;
  // A batch left open by an exception: its events still reach the file.
  if (!pending_.empty()) {
    try {
      write_pending();
    } catch (const std::runtime_error&) {
      // Nothing to report to from a destructor; the history ends early.
    }
  }
  ::close(fd_);
}

// No stdio buffer: the bytes go to the kernel now, whole. write(2) on a regular
// file writes everything unless the disk is full or a signal hits; the loop
// covers those short writes.
void JsonlFileSink::write_all(const std::string& bytes, std::int64_t first_index) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw LocalError(path_ + ": cannot write history event " + std::to_string(first_index) + ": " +
                               std::strerror(errno));
    }
    written += static_cast<std::size_t>(n);
  }
}

void JsonlFileSink::append(Event e) {
  e.index = next_index_++;
  if (trial_ > 0) e.trial = trial_;
  if (!batching_) {
    write_all(event_to_jsonl(e), e.index);
    return;
  }
  if (pending_.empty()) pending_first_index_ = e.index;
  pending_ += event_to_jsonl(e);
  constexpr std::size_t kMaxPendingBytes = 64 * 1024;
  if (pending_.size() >= kMaxPendingBytes) write_pending();
}

// The held lines leave pending_ before the write, so a failed write is not
// retried by the destructor (which could duplicate lines already written).
void JsonlFileSink::write_pending() {
  if (pending_.empty()) return;
  std::string bytes;
  bytes.swap(pending_);
  write_all(bytes, pending_first_index_);
}

void JsonlFileSink::restart() {
  pending_.clear();
  batching_ = false;
  next_index_ = 0;
  // O_APPEND: the next write lands at the new end, offset 0.
  if (::ftruncate(fd_, 0) != 0) {
    throw LocalError(path_ + ": cannot truncate history file: " + std::strerror(errno));
  }
}

void JsonlFileSink::begin_trial(std::int64_t trial) {
  write_pending();
  batching_ = false;
  next_index_ = 0;
  trial_ = trial;
}

void JsonlFileSink::begin_batch() { batching_ = true; }

template <typename Fn>
void FailSoftSink::guarded(Fn&& fn) {
  if (!error_.empty()) return;
  try {
    fn();
  } catch (const std::exception& e) {
    error_ = e.what();
    if (error_.empty()) error_ = "write failed";
  }
}

void FailSoftSink::append(Event e) {
  guarded([&] { sink_.append(std::move(e)); });
}

void FailSoftSink::begin_batch() {
  guarded([&] { sink_.begin_batch(); });
}

void FailSoftSink::end_batch() {
  guarded([&] { sink_.end_batch(); });
}

void JsonlFileSink::end_batch() {
  batching_ = false;
  write_pending();
}

void MemorySink::append(Event e) {
  e.index = static_cast<std::int64_t>(events_.size());
  events_.push_back(std::move(e));
}

void TeeSink::append(Event e) {
  e.index = next_index_++;
  for (HistorySink* sink : sinks_) sink->append(e);
}

void TeeSink::begin_batch() {
  for (HistorySink* sink : sinks_) sink->begin_batch();
}

void TeeSink::end_batch() {
  for (HistorySink* sink : sinks_) sink->end_batch();
}

}  // namespace racecheck
