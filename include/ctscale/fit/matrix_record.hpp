#pragma once
/// A finished matrix's results as a small self-checking binary record, so a killed run can
/// be resumed with results bit-identical to an uninterrupted one.
#include <string>
#include <string_view>

#include "ctscale/fit/matrix_result.hpp"

namespace ctscale::fit {

std::string encode_record(const MatrixResult& result);
/// Throws InputError naming `source` when the record is truncated, corrupt or of another version.
MatrixResult decode_record(std::string_view bytes, const std::string& source);

}  // namespace ctscale::fit
