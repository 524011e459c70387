#include "ctscale/spectral/spectrum_record.hpp"

#include "ctscale/error.hpp"
#include "ctscale/io/binary_record.hpp"

namespace ctscale::spectral {
namespace {

constexpr std::string_view magic = "ctscale-spectrum-record-1\n";

}  // namespace

std::string encode_spectrum_record(const SpectralResult& result) {
    io::RecordWriter w(magic);
    w.value(std::uint64_t{std::size(spectral_fields)});  // a record of another field list is refused
    for (const auto& field : spectral_fields) w.value(result.*field.member);
    w.text(result.method);
    w.text(result.grid);
    w.doubles(result.singular_values);
    return w.finish();
}

SpectralResult decode_spectrum_record(std::string_view bytes, const std::string& source) {
    io::RecordReader in(bytes, magic, source);
    if (in.value<std::uint64_t>() != std::size(spectral_fields)) {
        throw InputError(source + ": a spectrum record of another ctscale version");
    }
    SpectralResult result;
    for (const auto& field : spectral_fields) result.*field.member = in.value<double>();
    result.method = in.text();
    result.grid = in.text();
    result.singular_values = in.doubles();
    in.done();
    return result;
}

}  // namespace ctscale::spectral
