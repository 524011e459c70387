// libFuzzer target: the safetensors header parser (import::parse_safetensors_file) on
// whole files held in memory: 8-byte length, JSON header, offsets/dtype/shape checks and
// coverage of the data. Properties: it accepts, or throws InputError of one line; an
// accepted header's tensors tile the data exactly and each one's bytes equal its element
// count times its dtype size. Anything else aborts, and so does any sanitizer report.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ctscale/error.hpp"
#include "ctscale/import/safetensors.hpp"

namespace {

using namespace ctscale;

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "safetensors_header_fuzzer: %s\n", what.c_str());
    std::abort();
}

void check_accepted(const import::SafetensorsHeader& header, std::size_t file_size) {
    const std::uint64_t data_start = 8 + header.header_length;
    if (data_start + header.data_bytes != file_size) fail("header and data do not add up to the file");
    std::uint64_t expected = data_start;
    for (const auto& t : header.tensors) {
        if (t.begin != expected || t.end < t.begin) fail(t.name + ": not where the previous tensor ended");
        const std::uint64_t bits = t.elements() * std::uint64_t{import::dtype_bits(t.dtype)};
        if (bits % 8 != 0 || bits / 8 != t.end - t.begin) fail(t.name + ": bytes differ from shape × dtype");
        expected = t.end;
    }
    if (expected != file_size) fail("tensors do not cover the data");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view file(reinterpret_cast<const char*>(data), size);
    try {
        check_accepted(import::parse_safetensors_file(file), size);
    } catch (const InputError& e) {
        if (std::string_view(e.what()).find('\n') != std::string_view::npos) fail("multi-line message");
    }
    return 0;
}
