// The MPI job a command runs in when it was launched by `mpirun` (Open MPI), and nothing otherwise.
//
// `llmsim sweep` spreads its points over the ranks and gathers the reports on rank 0. MPI is
// loaded (the module libllmsim_mpi.so beside llmsim, app/src/mpi_plugin.h) and initialised only
// when the environment says that mpirun started this process, so every command still runs as a
// plain program (and `llmsim run` never touches MPI, nor pays for loading it). Only the calling thread
// makes MPI calls (MPI_THREAD_FUNNELED); worker threads only simulate.
//
//   std::optional<MpiWorld> world;
//   if (MpiWorld::is_launched_by_mpirun()) world.emplace();
//   std::vector<std::string> parts = world->gather_to_root(my_part);  // rank 0: every rank's part
#pragma once

#include <string>
#include <vector>

namespace llmsim {

class MpiWorld {
 public:
  // Returns true when mpirun (or another PMI launcher) started this process as part of a job.
  static bool is_launched_by_mpirun();

  // The functions of the MPI module (mpi_world.cpp).
  struct Module;

  // Loads the MPI module and initialises MPI; throws std::runtime_error when it cannot.
  MpiWorld();
  // Finalises MPI.
  ~MpiWorld();
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  // Returns how many ranks of the job run on this machine (to share its cores among them).
  int local_size() const { return local_size_; }

  // Returns every rank's `part` in rank order on rank 0, and nothing on the other ranks.
  // Collective: every rank must call it. Stops the job (exit 2) when the parts exceed what one
  // MPI message can carry (2 GiB).
  std::vector<std::string> gather_to_root(const std::string& part) const;

  // Ends the whole job at once with `status` (after a rank failed alone, so others cannot hang).
  [[noreturn]] void abort(int status) const;

 private:
  // Prints why this rank stops and aborts the job with status 2.
  [[noreturn]] void fail(const char* why) const;

  const Module* module_ = nullptr;
  int rank_ = 0;
  int size_ = 1;
  int local_size_ = 1;
};

}  // namespace llmsim
