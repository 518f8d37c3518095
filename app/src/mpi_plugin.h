// The contract between `llmsim` and its MPI module, libllmsim_mpi.so (app/src/mpi_plugin.cpp).
//
// llmsim does not link Open MPI: it loads the module, from the folder llmsim itself is in, only
// when mpirun started it (app/mpi_world.hpp). Linked in, Open MPI's shared libraries cost
// every run of every command about 4 ms of start-up to map and relocate (nine of them with their
// dependencies; bench/README.md), while
// only `llmsim sweep` under mpirun uses them. The functions take and return C types only, so
// the module and the program share nothing but this list.
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

// The module defines these; llmsim looks each up by name (dlsym) and calls it through a pointer of
// its type (decltype), so both sides are checked against these declarations.

// Initialises MPI (MPI_THREAD_FUNNELED) and gives this rank, the job's size and how many ranks
// run on this machine. Returns 0, or -1 when MPI could not start.
int llmsim_mpi_init(int* rank, int* size, int* local_size);
// Finalises MPI.
void llmsim_mpi_finalize(void);
// Gathers one int of every rank into `root_values` (size entries) on rank 0. Returns 0 or -1.
int llmsim_mpi_gather_int(int value, int* root_values);
// Gathers every rank's `length` bytes at `data` into `root_out` on rank 0, rank r's at
// `offsets[r]` (`lengths` and `offsets` are read on rank 0 only). Returns 0 or -1.
int llmsim_mpi_gather_bytes(const char* data, int length, char* root_out, const int* lengths, const int* offsets);
// Ends the whole job with `status`; does not return.
void llmsim_mpi_abort(int status);

#define LLMSIM_MPI_MODULE "libllmsim_mpi.so"

#ifdef __cplusplus
}
#endif
