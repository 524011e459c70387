#include "ctscale/app/embedded_inputs.hpp"

#include <unistd.h>

#include <boost/mpi/collectives.hpp>
#include <cstdio>
#include <filesystem>

#include "ctscale/error.hpp"
#include "ctscale/mpi/collective.hpp"
#include "ctscale/synth/checkpoint_writer.hpp"
#include "ctscale/synth/tokens.hpp"

namespace ctscale::app {
namespace {
constexpr std::int64_t embedded_tokens = 500'000;
}

std::int64_t EmbeddedInputs::approximate_bytes() {
    std::int64_t values = embedded_tokens;
    for (const auto& tensor : synth::preset("tiny-10m").tensors) values += tensor.n_params();
    return 4 * values;
}

EmbeddedInputs::EmbeddedInputs(const boost::mpi::communicator& world) : world_(world) {
    if (world.rank() == 0) {
        const auto directory = std::filesystem::temp_directory_path();
        const std::string stem = "ctscale-default-" + std::to_string(getpid());
        checkpoint_ = (directory / (stem + "-tiny-10m.h5")).string();
        tokens_ = (directory / (stem + "-tokens.h5")).string();
    }
    boost::mpi::broadcast(world, checkpoint_, 0);
    boost::mpi::broadcast(world, tokens_, 0);
    mpi::all_or_nothing(world, [&] {
        try {
            const synth::Architecture tiny = synth::preset("tiny-10m");
            synth::write_checkpoint(checkpoint_, tiny, synth::SynthSettings{}, world);
            synth::TokenStreamSettings stream;
            stream.tokens = embedded_tokens;
            stream.vocab_size = tiny.model.vocab_size;
            synth::write_token_stream(tokens_, stream, world);
        } catch (const LibraryError& e) {
            throw InputError(std::string("cannot write the embedded default inputs: ") + e.what());
        }
    });
}

EmbeddedInputs::~EmbeddedInputs() {
    if (world_.rank() != 0) return;
    std::remove(checkpoint_.c_str());
    std::remove(tokens_.c_str());
}

}  // namespace ctscale::app
