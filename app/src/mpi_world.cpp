// MPI set-up and the one collective the sweep needs (see app/mpi_world.hpp), through the MPI
// module libllmsim_mpi.so, loaded from llmsim's own folder (app/src/mpi_plugin.h says why).
#include "app/mpi_world.hpp"

#include <dlfcn.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <system_error>

#include "mpi_plugin.h"

namespace llmsim {

struct MpiWorld::Module {
  decltype(&llmsim_mpi_init) init = nullptr;
  decltype(&llmsim_mpi_finalize) finalize = nullptr;
  decltype(&llmsim_mpi_gather_int) gather_int = nullptr;
  decltype(&llmsim_mpi_gather_bytes) gather_bytes = nullptr;
  decltype(&llmsim_mpi_abort) abort = nullptr;
};

namespace {

// Returns the path of the module: beside the running program.
std::filesystem::path module_path() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) throw std::runtime_error("cannot find the running llmsim (/proc/self/exe): " + error.message());
  return self.parent_path() / LLMSIM_MPI_MODULE;
}

// Loads the module once and looks up its functions; throws std::runtime_error naming the path and
// what is wrong.
const MpiWorld::Module& load_module() {
  static const MpiWorld::Module module = [] {
    const std::string path = module_path().string();
    // Kept open for the life of the process: MPI must outlive every rank's last call.
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      throw std::runtime_error(std::string("cannot run as an MPI rank without llmsim's MPI module: ") + ::dlerror());
    }
    MpiWorld::Module m;
    auto find = [&](auto& function, const char* name) {
      function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(::dlsym(handle, name));
      if (function == nullptr) throw std::runtime_error(path + ": no function " + name);
    };
    find(m.init, "llmsim_mpi_init");
    find(m.finalize, "llmsim_mpi_finalize");
    find(m.gather_int, "llmsim_mpi_gather_int");
    find(m.gather_bytes, "llmsim_mpi_gather_bytes");
    find(m.abort, "llmsim_mpi_abort");
    return m;
  }();
  return module;
}

}  // namespace

MpiWorld::MpiWorld() : module_(&load_module()) {
  if (module_->init(&rank_, &size_, &local_size_) != 0) throw std::runtime_error("MPI_Init_thread failed");
}

MpiWorld::~MpiWorld() { module_->finalize(); }

std::vector<std::string> MpiWorld::gather_to_root(const std::string& part) const {
  // MPI counts are ints: one message carries at most INT_MAX bytes.
  if (part.size() > static_cast<std::size_t>(INT_MAX)) fail("a rank's reports exceed 2 GiB");
  int length = static_cast<int>(part.size());
  std::vector<int> lengths(rank_ == 0 ? size_ : 0);
  if (module_->gather_int(length, lengths.data()) != 0) fail("MPI_Gather failed");
  std::vector<int> offsets(lengths.size());
  long long total = 0;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    if (total > INT_MAX) fail("the ranks' reports together exceed 2 GiB");
    offsets[r] = static_cast<int>(total);
    total += lengths[r];
  }
  std::string all(static_cast<std::size_t>(total), '\0');
  if (module_->gather_bytes(part.data(), length, all.data(), lengths.data(), offsets.data()) != 0) {
    fail("MPI_Gatherv failed");
  }
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
  module_->abort(status);
  std::abort();  // MPI_Abort does not return; this satisfies [[noreturn]]
}

}  // namespace llmsim
