// libFuzzer target: checkpoint schema validation (io::Checkpoint::from_file) on files
// built from a fuzzed description (checkpoint_description.hpp), opened as in-memory
// images. Properties: the verdict is the model's (checkpoint_model.hpp); a refusal is one
// InputError line naming the file; an accepted file's rows read back exactly, with the
// planted NaN/±Inf counted. Anything else aborts, and so does any sanitizer report.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "checkpoint_description.hpp"
#include "checkpoint_image.hpp"
#include "checkpoint_model.hpp"
#include "ctscale/error.hpp"
#include "ctscale/hdf5/file.hpp"
#include "ctscale/io/checkpoint.hpp"

namespace {

using namespace ctscale;

const std::string image_name = "fuzz-checkpoint.h5";
// CTSCALE_FUZZ_VERBOSE=1 prints each verdict (to check what a corpus file exercises).
const bool verbose = std::getenv("CTSCALE_FUZZ_VERBOSE") != nullptr;

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "checkpoint_schema_fuzzer: %s\n", what.c_str());
    std::abort();
}

/// Small written datasets are read back through the collective row reader.
void check_rows(const io::Checkpoint& checkpoint, const io::TensorInfo& tensor, const fuzz::EntrySpec& e) {
    if (!e.written()) return;
    const auto count = static_cast<std::size_t>(tensor.n_params());
    if (count != e.values.size()) fail(tensor.name + ": shape differs from the description");
    std::vector<unsigned char> raw(count * io::bytes_of(tensor.dtype));
    checkpoint.read_raw_rows(tensor, 0, tensor.rows, raw.data());
    std::vector<double> got(count);
    io::to_double(tensor.dtype, raw.data(), got.data(), count);
    std::size_t nonfinite = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const double want = e.values[i];
        nonfinite += !std::isfinite(got[i]);
        const bool same = std::isnan(want) ? std::isnan(got[i]) : got[i] == want;
        if (!same) fail(tensor.name + ": element " + std::to_string(i) + " reads back differently");
    }
    if (nonfinite != e.nonfinite) fail(tensor.name + ": non-finite count differs");
}

void check_accepted(const io::Checkpoint& checkpoint, const fuzz::CheckpointSpec& spec) {
    if (checkpoint.tensors().size() != spec.entries.size()) fail("tensor count differs from the description");
    for (const io::TensorInfo& tensor : checkpoint.tensors()) {
        const fuzz::EntrySpec* entry = nullptr;
        for (const auto& e : spec.entries) entry = e.name == tensor.name ? &e : entry;
        if (!entry) fail("unknown tensor " + tensor.name);
        check_rows(checkpoint, tensor, *entry);
    }
}

void check_refusal(const Error& e) {
    const std::string message = e.what();
    if (message.find('\n') != std::string::npos) fail("a multi-line message: " + message);
    if (message.rfind(image_name + ": ", 0) != 0) fail("a message not naming the file: " + message);
    if (!dynamic_cast<const InputError*>(&e)) fail("not an InputError: " + message);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    hdf5::silence_error_stack();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::ByteReader in(data, size);
    const fuzz::CheckpointSpec spec = fuzz::decode_checkpoint(in);
    std::string image;
    try {
        image = fuzz::build_checkpoint_image(spec);
    } catch (const Error&) {
        return 0;  // HDF5 cannot write it, so no checkpoint holds it
    }
    const std::string violation = fuzz::first_violation(spec);
    try {
        const io::Checkpoint checkpoint = io::Checkpoint::from_file(hdf5::File::open_image(image, image_name));
        if (!violation.empty()) fail("accepted, but the model refuses: " + violation);
        check_accepted(checkpoint, spec);
        if (verbose) std::printf("accepted: %zu tensor(s)\n", checkpoint.tensors().size());
    } catch (const Error& e) {
        if (verbose) std::printf("refused: %s\n", e.what());
        check_refusal(e);
        if (violation.empty()) fail(std::string("refused a valid checkpoint: ") + e.what());
    }
    return 0;
}
