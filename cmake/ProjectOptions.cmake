# Language level, warnings, sanitizers and floating-point rules shared by every target.
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

option(LLMSIM_WERROR "Treat warnings as errors" OFF)
option(LLMSIM_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(LLMSIM_BUILD_TESTS "Build the GoogleTest suites" ON)
option(LLMSIM_BUILD_BENCH "Build the Google Benchmark programs" ON)
# libFuzzer harnesses (fuzz/, `make fuzz`): clang only, its own build folder (build/fuzz).
option(LLMSIM_FUZZ "Build the libFuzzer harnesses (clang) with ASan and UBSan" OFF)

add_library(llmsim_options INTERFACE)
add_library(llmsim::options ALIAS llmsim_options)
target_compile_options(llmsim_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  # Designated initializers leave the rest to default member initializers on purpose.
  -Wno-missing-field-initializers
  # Determinism: no fused multiply-add, so every build rounds the same way.
  -ffp-contract=off
  $<$<BOOL:${LLMSIM_WERROR}>:-Werror>)

if(LLMSIM_SANITIZE)
  target_compile_options(llmsim_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
    # GCC 12 at -O1 with ASan reports std::variant moves as "maybe uninitialized" (GCC bug
    # 105562 and kin): a false positive in this build only; Release keeps the warning.
    -Wno-maybe-uninitialized)
  target_link_options(llmsim_options INTERFACE -fsanitize=address,undefined)
endif()

if(LLMSIM_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "LLMSIM_FUZZ needs clang++ (libFuzzer), got ${CMAKE_CXX_COMPILER_ID}")
  endif()
  # Coverage feedback for every library the harnesses call; fuzz/CMakeLists.txt links the
  # libFuzzer driver (-fsanitize=fuzzer) into the harnesses only.
  target_compile_options(llmsim_options INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  target_link_options(llmsim_options INTERFACE -fsanitize=address,undefined)
endif()
