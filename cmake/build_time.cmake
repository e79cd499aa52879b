# Build time (docs/operations.md "Build time"). A cold build (CI: a fresh machine, no ccache)
# spends about half of each translation unit parsing the same headers (the STL, spdlog/fmt,
# nlohmann/json, GoogleTest, cpp-httplib, the module's own headers). A unity build compiles
# each library and test binary as a few large units (CMake's UNITY_BUILD, 8 sources each), so
# those headers are parsed once per unit instead of once per file: measured 2.2 times less CPU
# for the telegram module.
#
# With a compiler launcher (ccache) it is off by default: there per-file objects are what the
# cache reuses, and an edit recompiles one file rather than its batch of eight.
# Precompiled headers were measured too and are not used: loading GCC's 120-180 MB PCH cost
# more than parsing the headers for most files here (docs/operations.md has the figures).
#
# Test code (the *_tests binaries and the <module>/testing libraries) is compiled with -O1 in
# a Release build rather than -O3: the product code they drive keeps -O3, while GCC's -O3
# inlining of GoogleTest's macros cost a third of each test unit's compile for nothing a test
# needs (TGSCRIBE_TEST_OPT to change).
set(TGSCRIBE_TEST_OPT "-O1" CACHE STRING "Optimisation flag of test code in a Release build")
# Test code's targets: the <module>_tests and e2e_tests binaries, tgscribe_<module>_testing and
# tgscribe_testing_base.
set(_tgscribe_test_code "_tests$|_testing")
if(CMAKE_CXX_COMPILER_LAUNCHER)
  set(_tgscribe_unity_default OFF)
else()
  set(_tgscribe_unity_default ON)
endif()
option(TGSCRIBE_UNITY "Compile each product library as a few large units (faster cold build)"
       ${_tgscribe_unity_default})

# Sources that define an internal (anonymous-namespace) name another source of their module
# defines too: they compile on their own. A unity build that fails with "redefinition of
# '...::{anonymous}::name'" names the file to add here (or the name to make distinct).
set(TGSCRIBE_UNITY_SKIP
    src/common/redact.cc
    src/transcript/json_format.cc
    src/media/opus_pcm_encoder.cc
    src/engine/openai_compatible_transcriber.cc
    src/engine/text_translator.cc
    src/store/redis/redis_job_queue.cc
    src/store/redis/redis_outbox.cc
    src/store/redis/redis_transcript_cache.cc
    src/store/redis/redis_usage_ledger.cc
    src/jobs/transcript_messages.cc
    src/bot/update_router.cc
    src/app/doctor_subcommand.cc
    # Tests: helpers of the same name with other signatures (overloads would be ambiguous).
    src/media/upload_planner_test.cc
    src/server/webhook_server_test.cc
    src/store/job_queue_test.cc
    src/store/update_log_test.cc
    src/store/redis/redis_transcript_cache_test.cc
    src/store/sqlite/sqlite_job_queue_test.cc
    # GoogleTest's main: in a unit with other support code, a bench linking that code would get
    # a second main().
    tests/support/gtest_main.cc)

# Called once every module exists.
function(tgscribe_unity_build)
  if(NOT TGSCRIBE_UNITY)
    return()
  endif()
  foreach(f ${TGSCRIBE_UNITY_SKIP})
    set_source_files_properties(${CMAKE_SOURCE_DIR}/${f} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
  endforeach()
  get_property(targets DIRECTORY ${CMAKE_SOURCE_DIR} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t ${targets})
    get_target_property(type ${t} TYPE)
    # Every tgscribe_* library (the modules, their <module>/testing helpers, the test support)
    # and the test binaries; not the tgscribe executable nor the benches (one file each).
    if((type STREQUAL "STATIC_LIBRARY" AND t MATCHES "^tgscribe_")
       OR t MATCHES "${_tgscribe_test_code}")
      set_target_properties(${t} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
    endif()
  endforeach()
endfunction()

# Called once every module exists: test code at TGSCRIBE_TEST_OPT (it comes after -O3 on the
# command line, and GCC's last -O wins).
function(tgscribe_test_code_flags)
  if(NOT CMAKE_BUILD_TYPE STREQUAL "Release" OR NOT TGSCRIBE_TEST_OPT)
    return()
  endif()
  get_property(targets DIRECTORY ${CMAKE_SOURCE_DIR} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t ${targets})
    if(t MATCHES "${_tgscribe_test_code}")
      target_compile_options(${t} PRIVATE ${TGSCRIBE_TEST_OPT})
    endif()
  endforeach()
endfunction()
