// Converters from the text formats of Porcupine's test corpus (Jepsen logs) to our
// events. Pure string functions. Lines carry no clock, so every event gets
// time_ns = -1 and real-time order is the line order (see pair_operations).
#pragma once

#include <string_view>
#include <vector>

#include "properties/history.h"

namespace racecheck {

// Jepsen etcd register logs: "INFO  jepsen.util - <P> <type> <f> <value>" with
// tabs or spaces between fields. Produces register-model events (docs/history.md):
// write {"value":V}, cas {"from":A,"to":B}, read completion {"value":V|null}.
// ":info" lines are ignored, so the op stays open (indeterminate) to the end;
// ":fail :read :timed-out" becomes a fail with error "timed-out" (unknown result).
// Throws HistoryError (with the line number) on a line it cannot read.
std::vector<Event> import_jepsen_etcd(std::string_view text);

// Jepsen kv logs, one EDN map a line:
// {:process P, :type :invoke|:ok|:fail|:info, :f :get|:put|:append, :key "K", :value nil|"S"}.
// Produces kv-model events: invoke {"key":K[,"value":S]}, get completion {"key":K,"value":S}.
std::vector<Event> import_jepsen_kv(std::string_view text);

}  // namespace racecheck
