#include "harness/history_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace racecheck {

JsonlFileSink::JsonlFileSink(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error(path + ": cannot open history file for writing: " + std::strerror(errno));
  }
}

JsonlFileSink::~JsonlFileSink() {
  if (fd_ >= 0) ::close(fd_);
}

void JsonlFileSink::append(Event e) {
  e.index = next_index_++;
  const std::string line = event_to_jsonl(e);
  // No stdio buffer: the line goes to the kernel now, whole. write(2) on a
  // regular file writes everything unless the disk is full or a signal hits;
  // the loop covers those short writes.
  std::size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(path_ + ": cannot write history event " + std::to_string(e.index) + ": " +
                               std::strerror(errno));
    }
    written += static_cast<std::size_t>(n);
  }
}

void MemorySink::append(Event e) {
  e.index = static_cast<std::int64_t>(events_.size());
  events_.push_back(std::move(e));
}

void TeeSink::append(Event e) {
  e.index = next_index_++;
  for (HistorySink* sink : sinks_) sink->append(e);
}

}  // namespace racecheck
