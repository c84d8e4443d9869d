// libFuzzer target: the spec loader. Any input must either load or throw
// SpecError; anything else (a crash, a sanitizer report, another exception
// escaping) is a bug. A spec that loads is also rendered, so the templates it
// accepted are proven renderable.
#include <cstddef>
#include <cstdint>
#include <string>

#include "harness/spec.h"
#include "harness/spec_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  racecheck::Spec spec;
  try {
    spec = racecheck::parse_spec_text(text, "fuzz.json");
  } catch (const racecheck::SpecError&) {
    return 0;
  }
  (void)spec.secret_values();
  // Every placeholder resolves to a number: rendering must not throw anything but RenderError.
  const racecheck::PlaceholderLookup lookup = [](const std::string&) -> std::optional<racecheck::json> {
    return racecheck::json(7);
  };
  for (const auto& op : spec.operations) {
    try {
      (void)racecheck::render_request(spec, op.request, spec.base_urls.front(), lookup);
    } catch (const racecheck::RenderError&) {
    }
  }
  return 0;
}
