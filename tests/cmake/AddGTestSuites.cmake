# Included by ctest (a TEST_INCLUDE_FILES script written by heaplens_gtest in tests/CMakeLists.txt):
# lists the tests of one GoogleTest executable and registers them as a few ctest entries, so
# tests that share a process share what it loaded once (leaky.mvmheap, the Go dumps):
#   Suite.*      every test of a suite, in one process (the default);
#   Suite.Test   one test per entry, for the suites named in `one_per_test` (long tests that
#                share nothing costly, so ctest -j can run them side by side; they start first
#                while ctest has no timings of its own yet, so short entries fill in at the end).
# Suites named in `skip` are not registered; those in `run_serial` run with no other test beside
# them. An entry in which gtest skipped a test is reported by ctest as skipped, not as passed.
#
# Set by the including script: exe, name (the target), one_per_test, skip, run_serial, timeout,
# cmake (the path of cmake, for the stand-in entry when exe is missing).

cmake_policy(VERSION 3.22)  # ctest reads this with no policies set (IN_LIST needs CMP0057)

if(NOT EXISTS "${exe}")
  # Never a silent gap: an executable that is not built is a failing entry.
  add_test("${name}.NOT_BUILT" "${cmake}" -E echo "${exe} is not built")
  set_tests_properties("${name}.NOT_BUILT" PROPERTIES WILL_FAIL TRUE)
  return()
endif()

execute_process(COMMAND "${exe}" --gtest_list_tests
                OUTPUT_VARIABLE listing ERROR_VARIABLE listing_err RESULT_VARIABLE rc TIMEOUT 60)
if(NOT rc EQUAL 0)
  add_test("${name}.LIST_FAILED" "${cmake}" -E echo "${exe} --gtest_list_tests failed (${rc}): ${listing_err}")
  set_tests_properties("${name}.LIST_FAILED" PROPERTIES WILL_FAIL TRUE)
  return()
endif()

# --gtest_list_tests prints a suite as "Suite." (maybe followed by "  # TypeParam = ...") and
# each of its tests below it as "  Test" (maybe followed by "  # GetParam() = ...").
string(REPLACE ";" "\\;" listing "${listing}")
string(REPLACE "\n" ";" lines "${listing}")
set(entries "")
set(suite "")
foreach(line IN LISTS lines)
  string(REGEX REPLACE " +#.*" "" line "${line}")
  if(line MATCHES "^([^ ].*)\\.$")
    set(suite "${CMAKE_MATCH_1}")
    if(suite IN_LIST skip)
      continue()
    endif()
    if(NOT suite IN_LIST one_per_test)
      list(APPEND entries "${suite}.*")
    endif()
  elseif(line MATCHES "^  (.+)$" AND suite IN_LIST one_per_test AND NOT suite IN_LIST skip)
    list(APPEND entries "${suite}.${CMAKE_MATCH_1}")
  endif()
endforeach()

foreach(entry IN LISTS entries)
  add_test("${entry}" "${exe}" "--gtest_filter=${entry}")
  string(REGEX REPLACE "\\..*" "" entry_suite "${entry}")
  set(serial FALSE)
  if(entry_suite IN_LIST run_serial)
    set(serial TRUE)
  endif()
  set(cost 1)
  if(entry_suite IN_LIST one_per_test)
    set(cost 100)
  endif()
  set_tests_properties("${entry}" PROPERTIES
    TIMEOUT "${timeout}"
    RUN_SERIAL "${serial}"
    COST "${cost}"
    SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
endforeach()
