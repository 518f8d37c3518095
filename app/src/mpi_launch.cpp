// Whether an MPI launcher started this process: compiled in every build, with or without MPI
// (see app/mpi_world.hpp).
#include <cstdlib>

#include "app/mpi_world.hpp"

namespace llmsim {

bool MpiWorld::is_launched_by_mpirun() {
  // Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE; PMIx and PMI launchers (srun, MPICH's hydra)
  // set PMIX_RANK or PMI_SIZE.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

}  // namespace llmsim
