// libllmsim_mpi.so: the MPI calls of `llmsim sweep`, loaded by llmsim only under mpirun. See
// mpi_plugin.h for the contract and why it is a module.
#include "mpi_plugin.h"

#include <mpi.h>

#include <climits>
#include <cstdlib>

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

extern "C" {

__attribute__((visibility("default"))) int llmsim_mpi_init(int* rank, int* size, int* local_size) {
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return -1;
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  // Ranks on this machine: MPI-3's shared-memory split tells, whatever the launcher.
  MPI_Comm local = MPI_COMM_NULL;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, *rank, MPI_INFO_NULL, &local);
  if (local != MPI_COMM_NULL) {
    MPI_Comm_size(local, local_size);
    MPI_Comm_free(&local);
  } else {
    *local_size = env_int("OMPI_COMM_WORLD_LOCAL_SIZE", 1);
  }
  return 0;
}

__attribute__((visibility("default"))) void llmsim_mpi_finalize(void) { MPI_Finalize(); }

__attribute__((visibility("default"))) int llmsim_mpi_gather_int(int value, int* root_values) {
  return MPI_Gather(&value, 1, MPI_INT, root_values, 1, MPI_INT, 0, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
}

__attribute__((visibility("default"))) int llmsim_mpi_gather_bytes(const char* data, int length, char* root_out,
                                                                   const int* lengths, const int* offsets) {
  return MPI_Gatherv(data, length, MPI_CHAR, root_out, lengths, offsets, MPI_CHAR, 0, MPI_COMM_WORLD) == MPI_SUCCESS
             ? 0
             : -1;
}

__attribute__((visibility("default"))) void llmsim_mpi_abort(int status) { MPI_Abort(MPI_COMM_WORLD, status); }

}  // extern "C"
