// JsonlFileSink: lines reach the file at once outside a batch, together at
// end_batch() inside one, and a batch left open still reaches the file.
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "harness/history_writer.h"
#include "properties/history.h"

namespace racecheck {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class TempPath {
 public:
  TempPath() {
    char name[] = "/tmp/racecheck-history-writer-XXXXXX";
    const int fd = mkstemp(name);
    if (fd >= 0) close(fd);
    path_ = name;
  }
  ~TempPath() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Event invoke(std::int64_t process) {
  Event e;
  e.process = process;
  e.type = EventType::Invoke;
  e.f = "withdraw";
  e.value = json{{"amount", 5}};
  e.time_ns = 100 + process;
  return e;
}

std::size_t line_count(const std::string& text) {
  std::size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST(JsonlFileSink, WritesEachEventAtOnceOutsideABatch) {
  TempPath file;
  JsonlFileSink sink(file.path());
  sink.append(invoke(0));
  EXPECT_EQ(line_count(read_file(file.path())), 1u);
  sink.append(invoke(1));
  EXPECT_EQ(line_count(read_file(file.path())), 2u);
}

TEST(JsonlFileSink, HoldsABatchUntilItEndsThenWritesItInOrder) {
  TempPath file;
  JsonlFileSink sink(file.path());
  sink.append(invoke(0));
  sink.begin_batch();
  sink.append(invoke(1));
  sink.append(invoke(2));
  EXPECT_EQ(line_count(read_file(file.path())), 1u);
  sink.end_batch();
  const ParsedHistory parsed = parse_history_jsonl(read_file(file.path()));
  ASSERT_EQ(parsed.events.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(parsed.events[i].process, static_cast<std::int64_t>(i));
    EXPECT_EQ(parsed.events[i].index, static_cast<std::int64_t>(i));
  }
  sink.append(invoke(3));  // after the batch: at once again
  EXPECT_EQ(line_count(read_file(file.path())), 4u);
}

TEST(JsonlFileSink, WritesABigBatchBeforeItEnds) {
  TempPath file;
  JsonlFileSink sink(file.path());
  sink.begin_batch();
  for (int i = 0; i < 2000; ++i) sink.append(invoke(i));  // ~100 bytes each: past the 64 KiB cap
  EXPECT_GT(line_count(read_file(file.path())), 0u);
  sink.end_batch();
  EXPECT_EQ(line_count(read_file(file.path())), 2000u);
}

TEST(JsonlFileSink, DestructorWritesABatchLeftOpen) {
  TempPath file;
  {
    JsonlFileSink sink(file.path());
    sink.begin_batch();
    sink.append(invoke(0));
    sink.append(invoke(1));
  }
  EXPECT_EQ(parse_history_jsonl(read_file(file.path())).events.size(), 2u);
}

TEST(JsonlFileSink, RestartEmptiesTheFileAndNumbersFromZeroAgain) {
  TempPath file;
  JsonlFileSink sink(file.path());
  sink.append(invoke(0));
  sink.append(invoke(1));
  sink.begin_batch();
  sink.append(invoke(2));  // held, then dropped by the restart
  sink.restart();
  EXPECT_EQ(read_file(file.path()), "");
  sink.append(invoke(7));
  const ParsedHistory parsed = parse_history_jsonl(read_file(file.path()));
  ASSERT_EQ(parsed.events.size(), 1u);
  EXPECT_EQ(parsed.events[0].process, 7);
  EXPECT_EQ(parsed.events[0].index, 0);
}

TEST(TeeSink, ForwardsBatchesToEverySink) {
  TempPath file;
  JsonlFileSink jsonl(file.path());
  MemorySink memory;
  TeeSink tee({&memory, &jsonl});
  tee.begin_batch();
  tee.append(invoke(0));
  EXPECT_EQ(memory.events().size(), 1u);  // memory ignores batches
  EXPECT_EQ(line_count(read_file(file.path())), 0u);
  tee.end_batch();
  EXPECT_EQ(line_count(read_file(file.path())), 1u);
}

}  // namespace
}  // namespace racecheck
