// Whether this test binary was built with ASan or TSan: timing bounds widen
// there (everything runs several times slower). GCC defines __SANITIZE_*__;
// clang 14 only answers __has_feature.
#pragma once

namespace racecheck::test {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizerBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitizerBuild = true;
#else
inline constexpr bool kSanitizerBuild = false;
#endif
#else
inline constexpr bool kSanitizerBuild = false;
#endif

}  // namespace racecheck::test
