// MPI set-up and the one collective the sweep needs (see app/mpi_world.hpp).
#include "app/mpi_world.hpp"

#include <mpi.h>

#include <climits>
#include <cstdlib>
#include <iostream>
#include <stdexcept>

namespace llmsim {

namespace {

// Returns an environment variable as a positive integer, or `fallback`.
int env_int(const char* name, int fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr) return fallback;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  return end != text && value > 0 && value <= INT_MAX ? static_cast<int>(value) : fallback;
}

}  // namespace

MpiWorld::MpiWorld() {
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    throw std::runtime_error("MPI_Init_thread failed");
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  // Ranks on this machine: MPI-3's shared-memory split tells, whatever the launcher.
  MPI_Comm local = MPI_COMM_NULL;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
  if (local != MPI_COMM_NULL) {
    MPI_Comm_size(local, &local_size_);
    MPI_Comm_free(&local);
  } else {
    local_size_ = env_int("OMPI_COMM_WORLD_LOCAL_SIZE", 1);
  }
}

MpiWorld::~MpiWorld() { MPI_Finalize(); }

std::vector<std::string> MpiWorld::gather_to_root(const std::string& part) const {
  // MPI counts are ints: one message carries at most INT_MAX bytes.
  if (part.size() > static_cast<std::size_t>(INT_MAX)) fail("a rank's reports exceed 2 GiB");
  int length = static_cast<int>(part.size());
  std::vector<int> lengths(rank_ == 0 ? size_ : 0);
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(lengths.size());
  long long total = 0;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    if (total > INT_MAX) fail("the ranks' reports together exceed 2 GiB");
    offsets[r] = static_cast<int>(total);
    total += lengths[r];
  }
  std::string all(static_cast<std::size_t>(total), '\0');
  MPI_Gatherv(part.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0,
              MPI_COMM_WORLD);
  std::vector<std::string> parts;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    parts.push_back(all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(lengths[r])));
  }
  return parts;
}

void MpiWorld::fail(const char* why) const {
  std::cerr << "llmsim: MPI rank " << rank_ << ": " << why << "; stopping the job\n";
  abort(2);
}

void MpiWorld::abort(int status) const {
  MPI_Abort(MPI_COMM_WORLD, status);
  std::abort();  // MPI_Abort does not return; this satisfies [[noreturn]]
}

}  // namespace llmsim
