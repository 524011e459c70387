#include "ctscale/blacs/scalapack.hpp"

#include <string>

#include "ctscale/error.hpp"

namespace ctscale::blacs {

void check_info(int info, const char* routine) {
    if (info == 0) return;
    // info < 0: argument −info was illegal (a bug); info > 0: the algorithm failed.
    throw LibraryError(std::string(routine) + " failed: info = " + std::to_string(info));
}

}  // namespace ctscale::blacs
