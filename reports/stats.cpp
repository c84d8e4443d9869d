// Statistics shown in reports: the reproduction rate's confidence interval and
// latency percentiles.
#include <algorithm>
#include <cmath>

#include "reports/reports.h"
#include "reports/text_util.h"

namespace racecheck {

std::pair<double, double> wilson_interval(int successes, int trials) {
  if (trials <= 0) return {0.0, 1.0};
  const double z = 1.959963984540054;  // 97.5th percentile of the standard normal
  const double n = trials;
  const double p = std::clamp(static_cast<double>(successes) / n, 0.0, 1.0);
  const double denom = 1 + z * z / n;
  const double centre = (p + z * z / (2 * n)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom;
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const double rank = std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(samples.size()));
  const std::size_t index = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  return samples[std::min(index, samples.size() - 1)];
}

std::string repro_rate_text(const ReportInput& in) {
  const auto [low, high] = wilson_interval(in.repro_failures, in.repro_runs);
  std::string out = "failed " + std::to_string(in.repro_failures) + "/" + std::to_string(in.repro_runs) +
                    " re-runs (95% CI " + report_text::format_fixed(low * 100, 0) + "-" +
                    report_text::format_fixed(high * 100, 0) + "%)";
  if (in.original_repro_runs > 0)
    out += "; original failed " + std::to_string(in.original_repro_failures) + "/" +
           std::to_string(in.original_repro_runs);
  return out;
}

}  // namespace racecheck
