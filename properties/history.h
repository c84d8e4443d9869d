// The history: the only thing checkers see. Jepsen-style events, one JSON object
// per line (see docs/history.md). Parsing and printing are pure string functions;
// reading files is the harness's job.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace racecheck {

using json = nlohmann::json;

enum class EventType : std::uint8_t { Invoke, Ok, Fail, Info };

std::string_view to_string(EventType t);

// One recorded event. An operation is an `invoke` followed by exactly one
// completion (`ok`, `fail` or `info`) of the same process.
struct Event {
  std::int64_t index = 0;      // position in the history (0-based, dense)
  std::int64_t process = 0;    // client id; at most one open op per process
  EventType type = EventType::Invoke;
  std::string f;               // operation name: withdraw, deposit, read, write, cas, ...
  std::string op;              // the spec's operation name when it differs from f (spec "as"); "" = f
  json value;                  // invoke: arguments; completion: arguments + extracted results
  std::string key;             // idempotency key ("" = none)
  int attempt = 1;             // 1 for the first try, +1 per retry of the same key
  int instance = 0;            // which base URL (service instance) served it
  int status = 0;              // HTTP status of a completion (0 = none: timeout, offline history)
  std::string body;            // response body of a completion (may be truncated by the executor)
  bool body_truncated = false; // the executor kept only the first max_body_bytes of the body
  std::string error;           // completion reason: "insufficient-funds", "busy", "timeout", "lost-response", ...
  std::int64_t time_ns = -1;   // monotonic ns; -1 = no clock (the line order is the time)
  std::int64_t sent_ns = -1;   // invoke only: when the request's last byte was sent (-1 = unknown)
  // Invoke of a burst's first request: how the burst was released together
  // ("last-byte", "single-packet"); "" = not part of a synchronized release.
  std::string release;
  // Completion with a response: the HTTP version it came over ("http/1.1",
  // "h2"); "" = not recorded (an offline history, no response).
  std::string protocol;
  std::int64_t trial = 0;      // which trial of a run wrote it (1, 2, ...); 0 = a history of one trial
  // Completion of a multi-request operation: the requests it sent, each
  // {"step","round","method","path","status","sent_ns","done_ns"[,"error"]};
  // null for an operation of one request.
  json steps;
  // Invoke and completion of an op that carried hostile argument values: each
  // argument outside its declared domain -> why ({"amount": "is negative"});
  // null for an op whose arguments are all valid (docs/history.md).
  json invalid;
  // Invoke and completion of an op that carried a hostile value a service may
  // read as an integer ("50", 0): argument -> that integer ({"amount": 50}).
  json read_as;
};

// Events <-> JSON objects (the JSONL line format).
json event_to_json(const Event& e);
// Throws HistoryError naming the field and the reason.
Event event_from_json(const json& j);

struct HistoryError : std::runtime_error {
  HistoryError(std::int64_t line_number, std::string field_name, std::string why);
  std::int64_t line;    // 1-based line number (0 = not line-specific)
  std::string field;    // JSON field name, or "" for a whole-line problem
  std::string reason;
};

struct ParsedHistory {
  std::vector<Event> events;
  // A final line without '\n' that does not parse: a run killed mid-write.
  // It is dropped and reported, not an error.
  bool truncated_tail = false;
};

// Parses JSONL text. Every complete line must be a valid event: a bad one throws
// HistoryError with its line number. Blank lines are skipped. Events are
// re-indexed densely in file order.
ParsedHistory parse_history_jsonl(std::string_view text);

// The events of each trial of a multi-trial history (`racecheck run --history`
// writes every trial to one file, each event carrying its trial number), in the
// order the trials first appear, each re-indexed densely from 0. A history
// without trial numbers is one trial.
std::vector<std::vector<Event>> split_trials(const std::vector<Event>& events);

// Response bytes are bytes: a body need not be UTF-8, JSON text must be.
bool is_valid_utf8(std::string_view bytes);
// For display: valid UTF-8 is kept; every byte that is not part of a valid
// sequence is shown as the four characters \xHH (hex, lower case).
std::string escape_invalid_utf8(std::string_view bytes);
// Applies escape_invalid_utf8 to every string (and object key) in j, so that
// j.dump() cannot throw.
void escape_invalid_utf8_strings(json& j);
// RFC 4648 base64 (with padding). decode returns false on anything else.
std::string base64_encode(std::string_view bytes);
bool base64_decode(std::string_view text, std::string* out);

std::string event_to_jsonl(const Event& e);  // one line, with trailing '\n'

// ---------------------------------------------------------------------------
// Operations: invoke + completion paired, the checkers' working form.

enum class Outcome : std::uint8_t { Ok, Fail, Info };

std::string_view to_string(Outcome o);

inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

struct Operation {
  int id = 0;                  // index in the operations vector
  std::int64_t process = 0;
  std::string f;
  json input;                  // the invoke's value
  json output;                 // the completion's value (null for info)
  Outcome outcome = Outcome::Info;
  std::string error;           // completion reason (see Event::error)
  std::int64_t call = 0;       // invoke time (time_ns, or event index when there is no clock)
  std::int64_t ret = kNever;   // completion time; kNever for info: may take effect any time after call, or never
  std::string key;
  int attempt = 1;
  int instance = 0;
  int status = 0;
  std::string body;
  std::int64_t invoke_event = -1;    // index of the invoke event
  std::int64_t complete_event = -1;  // index of the completion event (-1: never completed)
  json invalid;                // the invoke's Event::invalid: argument -> why it is outside its domain
  json read_as;                // the invoke's Event::read_as: argument -> the integer it may be read as
};

struct PairingResult {
  std::vector<Operation> ops;            // in invoke order
  std::vector<std::string> problems;     // e.g. "line 12: ok for process 3 with no open invoke"
};

// Pairs invokes with completions by process. An op left open at the end of the
// history is indeterminate (Info, ret = kNever). When any event lacks time_ns,
// event indices are used as times for all events (real-time order = line order).
PairingResult pair_operations(const std::vector<Event>& events);

}  // namespace racecheck
