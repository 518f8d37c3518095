// MpiWorld in a build without MPI (-DLLMSIM_MPI=OFF): every command but the MPI path of
// `llmsim sweep` works; under mpirun the sweep says what is missing (see app/mpi_world.hpp).
#include <cstdlib>
#include <stdexcept>

#include "app/mpi_world.hpp"

namespace llmsim {

MpiWorld::MpiWorld() {
  throw std::runtime_error(
      "this llmsim was built without MPI (-DLLMSIM_MPI=OFF), so it cannot run as an MPI rank; "
      "run the sweep without mpirun (it uses threads), or build with -DLLMSIM_MPI=ON");
}

MpiWorld::~MpiWorld() = default;

std::vector<std::string> MpiWorld::gather_to_root(const std::string& part) const { return {part}; }

void MpiWorld::abort(int status) const { std::exit(status); }

void MpiWorld::fail(const char*) const { abort(2); }

}  // namespace llmsim
