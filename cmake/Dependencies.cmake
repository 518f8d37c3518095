# Every dependency comes from a Debian 12 package (scripts/setup.sh installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED CONFIG COMPONENTS headers)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(CLI11 REQUIRED)
# Open MPI: `llmsim sweep` spreads its points over the ranks when launched by mpirun. Optional:
# without it every command builds and runs, and a sweep under mpirun says what is missing.
option(LLMSIM_MPI "Build the MPI path of llmsim sweep (Open MPI)" ON)
if(LLMSIM_MPI)
  find_package(MPI REQUIRED COMPONENTS CXX)
endif()
if(LLMSIM_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(LLMSIM_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
