#pragma once
/// A finished matrix's spectrum as a record of the progress journal (io/binary_record.hpp),
/// so --resume reloads it bit for bit instead of recomputing it.
#include <string>
#include <string_view>

#include "ctscale/spectral/spectral_result.hpp"

namespace ctscale::spectral {

std::string encode_spectrum_record(const SpectralResult& result);
/// Throws InputError naming `source` when the record is truncated, corrupt or of another version.
SpectralResult decode_spectrum_record(std::string_view bytes, const std::string& source);

}  // namespace ctscale::spectral
