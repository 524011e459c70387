// ctscale-synth: writes synthetic checkpoints of named architectures, or token streams.
#include <cstdio>
#include <functional>
#include <iostream>

#include "ctscale/cli/cli.hpp"
#include "ctscale/cli/program.hpp"
#include "ctscale/cli/progress.hpp"
#include "ctscale/error.hpp"
#include "ctscale/io/atomic_file.hpp"
#include "ctscale/mpi/collective.hpp"
#include "ctscale/synth/checkpoint_writer.hpp"
#include "ctscale/synth/tokens.hpp"

namespace {

using namespace ctscale;

cli::po::options_description synth_options() {
    cli::po::options_description options("ctscale-synth options");
    // clang-format off: one option per line, as --help shows them
    options.add_options()("help,h", "print this help")("version", "print the version")(
        "output,o", cli::po::value<std::string>(), "file to write (required)")(
        "preset", cli::po::value<std::string>(), "tiny-10m | gpt2-124m | llama-1b | llama-7b")(
        "d-model", cli::po::value<std::int64_t>(), "custom model width")(
        "layers", cli::po::value<std::int64_t>(), "custom number of blocks")("ffn", cli::po::value<std::int64_t>(),
                                                                             "custom MLP width (default 4*d-model)")(
        "vocab-size", cli::po::value<std::int64_t>(), "custom vocabulary (also for --tokens; default 8000)")(
        "dtype", cli::po::value<std::string>()->default_value("f32"), "f32 | f64 | f16 | bf16")(
        "seed", cli::po::value<std::uint64_t>()->default_value(0), "random seed")(
        "tokens", cli::po::value<std::int64_t>(), "write a token stream of this many tokens instead of a checkpoint")(
        "doc-length", cli::po::value<std::int64_t>()->default_value(512), "tokens per document (0: no offsets)")(
        "mem-per-rank", cli::po::value<std::string>()->default_value("256M"), "generation buffer per rank")(
        "quiet,q", "no progress output");
    // clang-format on
    return options;
}

synth::Architecture chosen_architecture(const cli::po::variables_map& values) {
    const bool custom = values.count("d-model") || values.count("layers") || values.count("ffn");
    if (values.count("preset") && custom) throw UsageError("give either --preset or custom sizes, not both");
    if (values.count("preset")) return synth::preset(values["preset"].as<std::string>());
    if (!values.count("d-model") || !values.count("layers")) {
        throw UsageError("give --preset NAME or custom sizes (--d-model and --layers at least)");
    }
    const std::int64_t d = values["d-model"].as<std::int64_t>();
    const std::int64_t ffn = values.count("ffn") ? values["ffn"].as<std::int64_t>() : 4 * d;
    const std::int64_t vocab = values.count("vocab-size") ? values["vocab-size"].as<std::int64_t>() : 8000;
    return synth::custom(d, values["layers"].as<std::int64_t>(), ffn, vocab);
}

/// Writes `output` atomically (io/atomic_file.hpp); an HDF5 failure while writing becomes one
/// error naming the output, agreed on every rank.
void write_output(const std::string& output, const boost::mpi::communicator& world,
                  const std::function<void(const std::string& temporary)>& write) {
    io::write_atomically(output, world, [&](const std::string& temporary) {
        mpi::all_or_nothing(world, [&] {
            try {
                write(temporary);
            } catch (const LibraryError& e) {
                throw InputError(output + ": cannot write: " + e.what());
            }
        });
    });
}

int synth_main(const boost::mpi::communicator& world, const std::vector<std::string>& args) {
    const auto options = synth_options();
    const auto values = cli::parse_command_line(args, options);
    if (values.count("help")) {
        if (world.rank() == 0)
            std::cout << "Usage: ctscale-synth (--preset NAME | --d-model D --layers L ...) -o FILE\n"
                      << "       ctscale-synth --tokens N [--vocab-size V] -o FILE\n\n"
                      << options;
        return 0;
    }
    if (values.count("version")) {
        if (world.rank() == 0) std::cout << cli::version_text("ctscale-synth") << "\n";
        return 0;
    }
    if (!values.count("output")) throw UsageError("missing -o/--output FILE");
    const std::string output = values["output"].as<std::string>();
    const std::uint64_t seed = values["seed"].as<std::uint64_t>();
    cli::Progress progress(world.rank() == 0 && !values.count("quiet"), "ctscale-synth");

    if (values.count("tokens")) {
        synth::TokenStreamSettings settings;
        settings.tokens = values["tokens"].as<std::int64_t>();
        settings.vocab_size = values.count("vocab-size") ? values["vocab-size"].as<std::int64_t>() : 8000;
        settings.document_length = values["doc-length"].as<std::int64_t>();
        settings.seed = seed;
        if (settings.tokens < 1 || settings.vocab_size < 1 || settings.document_length < 0) {
            throw UsageError("--tokens and --vocab-size must be >= 1, --doc-length >= 0");
        }
        write_output(output, world,
                     [&](const std::string& temporary) { synth::write_token_stream(temporary, settings, world); });
        return 0;
    }

    const synth::Architecture arch = chosen_architecture(values);
    synth::SynthSettings settings;
    settings.dtype = io::parse_stored_type(values["dtype"].as<std::string>());
    settings.seed = seed;
    settings.memory_per_rank = cli::parse_byte_size(values["mem-per-rank"].as<std::string>(), "mem-per-rank");
    std::int64_t total_bytes = 0;
    for (const auto& t : arch.tensors)
        total_bytes += t.n_params() * static_cast<std::int64_t>(io::bytes_of(settings.dtype));
    const auto report = [&](std::size_t done, std::size_t total, std::int64_t bytes) {
        progress.update(done, total, "tensors", bytes, total_bytes);
    };
    write_output(output, world, [&](const std::string& temporary) {
        synth::write_checkpoint(temporary, arch, settings, world, report);
    });
    progress.finish();
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return cli::run_program("ctscale-synth", argc, argv, synth_main); }
