// libFuzzer target: the history readers (JSONL and the two Jepsen formats),
// pairing, and the JSONL printer. The first byte picks the format. Bad input
// must throw HistoryError and nothing else; an event that was read must print
// and read back as the same event.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "properties/history.h"
#include "properties/jepsen_import.h"

namespace {

bool same_event(const racecheck::Event& a, const racecheck::Event& b) {
  return a.process == b.process && a.type == b.type && a.f == b.f && a.key == b.key && a.attempt == b.attempt &&
         a.instance == b.instance && a.status == b.status && a.error == b.error && a.time_ns == b.time_ns &&
         a.sent_ns == b.sent_ns && a.body_truncated == b.body_truncated;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int format = data[0] % 3;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<racecheck::Event> events;
  try {
    if (format == 0) events = racecheck::parse_history_jsonl(text).events;
    else if (format == 1) events = racecheck::import_jepsen_etcd(text);
    else events = racecheck::import_jepsen_kv(text);
  } catch (const racecheck::HistoryError&) {
    return 0;
  }
  (void)racecheck::pair_operations(events);
  for (const auto& e : events) {
    const std::string line = racecheck::event_to_jsonl(e);
    const racecheck::ParsedHistory back = racecheck::parse_history_jsonl(line);  // must not throw
    if (back.events.size() != 1 || !same_event(back.events[0], e)) std::abort();
  }
  return 0;
}
