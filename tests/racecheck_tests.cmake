# racecheck_add_tests(<area> <libraries...>): every <name>_test.cpp in the calling
# folder becomes one test binary labelled "unit", every <name>_itest.cpp one
# labelled "integration", every <name>_slowtest.cpp one labelled "slow" (skipped
# under sanitizers). Adding a test file needs no CMake edit.
# Also defines <area>_tests, a target that builds just that area's test binaries.
function(racecheck_add_tests area)
  set(libs ${ARGN})
  if(NOT TARGET ${area}_tests)
    add_custom_target(${area}_tests)
  endif()
  foreach(kind test itest slowtest)
    file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_${kind}.cpp)
    foreach(src ${sources})
      get_filename_component(name ${src} NAME_WE)
      set(exe ${area}_${name})
      add_executable(${exe} ${src})
      add_dependencies(${area}_tests ${exe})
      target_link_libraries(${exe} PRIVATE ${libs} rapidcheck_gtest rapidcheck GTest::gtest GTest::gmock GTest::gtest_main Threads::Threads)
      target_include_directories(${exe} PRIVATE ${RACECHECK_ROOT})
      target_compile_definitions(${exe} PRIVATE
        RACECHECK_SOURCE_DIR="${RACECHECK_ROOT}"
        RACECHECK_BINARY_DIR="${CMAKE_BINARY_DIR}")
      if(kind STREQUAL "test")
        set(label unit)
      elseif(kind STREQUAL "itest")
        set(label integration)
      else()
        set(label slow)
      endif()
      # Test names are prefixed by area ("harness.DemoRun.X") so a run can pick an area with -R.
      gtest_discover_tests(${exe} TEST_PREFIX "${area}." PROPERTIES LABELS ${label} DISCOVERY_TIMEOUT 60)
    endforeach()
  endforeach()
endfunction()
