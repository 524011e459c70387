#pragma once
/// The BLACS, ScaLAPACK and PBLAS entry points ctscale calls (Debian's ScaLAPACK 2.2,
/// 32-bit integers), and the check that turns a nonzero `info` into LibraryError.
/// BLACS `C*` routines take values; Fortran routines take pointers, and every character
/// argument adds a hidden length at the end. Only the blacs module includes this header.
#include <mpi.h>

#include <cstddef>

extern "C" {
void Cblacs_pinfo(int* mypnum, int* nprocs);
int Csys2blacs_handle(MPI_Comm comm);
void Cfree_blacs_system_handle(int handle);
void Cblacs_gridinit(int* context, const char* order, int nprow, int npcol);
void Cblacs_gridinfo(int context, int* nprow, int* npcol, int* myrow, int* mycol);
void Cblacs_gridexit(int context);

int numroc_(const int* n, const int* nb, const int* iproc, const int* isrcproc, const int* nprocs);
void descinit_(int* desc, const int* m, const int* n, const int* mb, const int* nb, const int* irsrc, const int* icsrc,
               const int* ictxt, const int* lld, int* info);
void pdgemr2d_(const int* m, const int* n, const double* a, const int* ia, const int* ja, const int* desca, double* b,
               const int* ib, const int* jb, const int* descb, const int* ictxt);
void pdsyevr_(const char* jobz, const char* range, const char* uplo, const int* n, double* a, const int* ia,
              const int* ja, const int* desca, const double* vl, const double* vu, const int* il, const int* iu, int* m,
              int* nz, double* w, double* z, const int* iz, const int* jz, const int* descz, double* work,
              const int* lwork, int* iwork, const int* liwork, int* info, std::size_t, std::size_t, std::size_t);
}

namespace ctscale::blacs {

/// Throws LibraryError "<routine> failed: info = <info>" when info != 0.
void check_info(int info, const char* routine);

}  // namespace ctscale::blacs

#define CTSCALE_SCALAPACK_INFO(info, routine) ::ctscale::blacs::check_info((info), (routine))
