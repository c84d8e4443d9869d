// Records money exactly: with a money scale (the spec's "money": {"scale": N})
// every money field (Model::money_fields()) of every event is written as a
// whole number of minor units (10.50 at scale 2 is 1050), converted from the
// decimal text sent or received; a value that is not whole stays its exact
// decimal text, for the exact-money invariant (properties/decimal_money.h).
#pragma once

#include <string>
#include <vector>

#include "harness/history_writer.h"
#include "harness/spec.h"

namespace racecheck {

// Converts the money fields of each event, then hands it to `next` (not owned).
class MoneyRecordingSink : public HistorySink {
 public:
  MoneyRecordingSink(HistorySink& next, std::vector<std::string> money_fields, int scale)
      : next_(next), fields_(std::move(money_fields)), scale_(scale) {}
  void append(Event e) override;
  void begin_batch() override { next_.begin_batch(); }
  void end_batch() override { next_.end_batch(); }

 private:
  HistorySink& next_;
  std::vector<std::string> fields_;
  int scale_;
};

// The money fields of the spec's model; empty when the spec declares no scale
// (integers are recorded as they are, today's histories unchanged).
std::vector<std::string> recorded_money_fields(const Spec& spec);

// The event's money fields in minor units at `scale`.
void record_money(Event& e, const std::vector<std::string>& money_fields, int scale);

}  // namespace racecheck
