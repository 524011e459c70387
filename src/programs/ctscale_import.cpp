// ctscale-import: converts Hugging Face safetensors checkpoints and token files into the
// ctscale HDF5 schemas (docs/programs.md, hdf5_schemas/README.md).
#include <cstdio>
#include <iostream>

#include "ctscale/cli/cli.hpp"
#include "ctscale/cli/program.hpp"
#include "ctscale/cli/progress.hpp"
#include "ctscale/error.hpp"
#include "ctscale/import/checkpoint_import.hpp"
#include "ctscale/import/model_config.hpp"
#include "ctscale/io/atomic_file.hpp"
#include "ctscale/import/token_import.hpp"
#include "ctscale/mpi/collective.hpp"

namespace {

using namespace ctscale;
namespace po = cli::po;

constexpr const char* program = "ctscale-import";

po::options_description import_options() {
    po::options_description options("ctscale-import options");
    // clang-format off: one option per line, as --help shows them
    options.add_options()("help,h", "print this help")("version", "print the version")(
        "safetensors", po::value<std::string>(),
        "a .safetensors file, a directory of shards, or model.safetensors.index.json")(
        "tokens", po::value<std::string>(), "a token file: raw little-endian ids, or .npy")(
        "output,o", po::value<std::string>(), "file to write (required)")(
        "config", po::value<std::string>(), "Hugging Face config.json (default: the one beside the weights, if any)")(
        "model-name", po::value<std::string>(), "model_name attribute (default: from config.json or the directory)")(
        "architecture", po::value<std::string>(), "architecture attribute (default: config model_type, else inferred)")(
        "token-dtype", po::value<std::string>(), "raw token files: uint16 | uint32")(
        "vocab-size", po::value<std::int64_t>(), "vocabulary size (default: config.json, or largest token id + 1)")(
        "tokenizer", po::value<std::string>()->default_value("unknown"), "tokenizer attribute of a token file")(
        "mem-per-rank", po::value<std::string>()->default_value("256M"), "read buffer per rank")("quiet,q",
                                                                                                 "no progress output");
    // clang-format on
    return options;
}

void warn(const boost::mpi::communicator& world, const std::string& text) {
    if (world.rank() == 0) std::fprintf(stderr, "%s: warning: %s\n", program, text.c_str());
}

/// "a, b, c and 7 more": long lists stay one readable line.
std::string name_list(const std::vector<std::string>& names, std::size_t shown = 12) {
    std::string text;
    for (std::size_t i = 0; i < names.size() && i < shown; ++i) text += (i ? ", " : "") + names[i];
    if (names.size() > shown) text += " and " + std::to_string(names.size() - shown) + " more";
    return text;
}

int import_checkpoint(const boost::mpi::communicator& world, const po::variables_map& values, const std::string& output,
                      std::int64_t memory) {
    import::ModelOverrides overrides;
    if (values.count("config")) overrides.config_path = values["config"].as<std::string>();
    if (values.count("model-name")) overrides.model_name = values["model-name"].as<std::string>();
    if (values.count("architecture")) overrides.architecture = values["architecture"].as<std::string>();
    if (values.count("vocab-size")) overrides.vocab_size = values["vocab-size"].as<std::int64_t>();

    import::SafetensorsSource source;
    import::ImportPlan plan;
    io::ModelInfo model;
    std::vector<std::string> notes;
    mpi::all_or_nothing(world, [&] {
        source = import::open_safetensors_source(values["safetensors"].as<std::string>());
        plan = import::plan_import(source);
        model = import::describe_model(source, plan, overrides, notes);
    });
    for (const auto& note : notes) warn(world, note);
    if (!plan.buffers.empty()) {
        warn(world, "left out " + std::to_string(plan.buffers.size()) +
                        " non-parameter buffer(s): " + name_list(plan.buffers));
    }
    if (!plan.left_out.empty()) {
        warn(world, "left out " + std::to_string(plan.left_out.size()) +
                        " tensor(s) that are neither 1-D nor 2-D, or empty: " + name_list(plan.left_out));
    }
    if (!plan.unknown.empty()) {
        warn(world, std::to_string(plan.unknown.size()) + " tensor name(s) not recognised, stored as kind=other, " +
                        "layer=-1: " + name_list(plan.unknown));
    }

    std::int64_t total_bytes = 0;
    for (const auto& item : plan.items) total_bytes += item.target.n_params() * io::bytes_of(item.target.dtype);
    cli::Progress progress(world.rank() == 0 && !values.count("quiet"), program);
    const auto report = [&](std::size_t done, std::size_t total, std::int64_t bytes) {
        progress.update(done, total, "tensors", bytes, total_bytes);
    };
    io::write_atomically(output, world, [&](const std::string& temporary) {
        import::write_imported_checkpoint(temporary, model, source, plan, memory, world, report);
    });
    progress.finish();
    if (world.rank() == 0) {
        std::int64_t matrices = 0;
        for (const auto& item : plan.items) matrices += item.target.rank == 2;
        std::printf(
            "%s: wrote %s: %zu tensors (%lld matrices), %lld parameters from %zu file(s); %s, d_model %lld, "
            "n_layers %lld, vocab_size %lld\n",
            program, output.c_str(), plan.items.size(), static_cast<long long>(matrices),
            static_cast<long long>(plan.total_params()), source.shards.size(), model.architecture.c_str(),
            static_cast<long long>(model.d_model), static_cast<long long>(model.n_layers),
            static_cast<long long>(model.vocab_size));
    }
    return 0;
}

int import_token_file(const boost::mpi::communicator& world, const po::variables_map& values, const std::string& output,
                      std::int64_t memory) {
    const std::string path = values["tokens"].as<std::string>();
    const bool npy = path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0;
    std::string dtype;
    if (values.count("token-dtype")) {
        dtype = values["token-dtype"].as<std::string>();
        if (dtype != "uint16" && dtype != "uint32") throw UsageError("--token-dtype must be uint16 or uint32");
        if (npy) throw UsageError("--token-dtype is for raw files; a .npy file names its dtype itself");
    } else if (!npy) {
        throw UsageError("raw token files need --token-dtype uint16|uint32 (or give a .npy file)");
    }
    import::TokenImportSettings settings;
    settings.tokenizer = values["tokenizer"].as<std::string>();
    settings.memory_per_rank = memory;
    if (values.count("vocab-size")) settings.vocab_size = values["vocab-size"].as<std::int64_t>();

    import::TokenSource source;
    mpi::all_or_nothing(world,
                        [&] { source = npy ? import::open_npy_tokens(path) : import::open_raw_tokens(path, dtype); });
    import::TokenImportSummary summary;
    io::write_atomically(output, world, [&](const std::string& temporary) {
        summary = import::import_tokens(source, temporary, settings, world);
    });
    if (world.rank() == 0) {
        std::printf("%s: wrote %s: %lld tokens, vocab_size %lld%s, stored as %s\n", program, output.c_str(),
                    static_cast<long long>(summary.tokens), static_cast<long long>(summary.vocab_size),
                    summary.vocab_inferred ? " (largest id + 1)" : "", summary.stored_type.c_str());
    }
    return 0;
}

int import_main(const boost::mpi::communicator& world, const std::vector<std::string>& args) {
    const auto options = import_options();
    const auto values = cli::parse_command_line(args, options);
    if (values.count("help")) {
        if (world.rank() == 0) {
            std::cout
                << "Usage: ctscale-import --safetensors PATH -o model.h5 [--config config.json]\n"
                << "       ctscale-import --tokens FILE [--token-dtype uint16|uint32] [--vocab-size V] -o tokens.h5\n\n"
                << options;
        }
        return 0;
    }
    if (values.count("version")) {
        if (world.rank() == 0) std::cout << cli::version_text(program) << "\n";
        return 0;
    }
    const bool checkpoint = values.count("safetensors") > 0;
    if (checkpoint == (values.count("tokens") > 0))
        throw UsageError("give exactly one of --safetensors PATH or --tokens FILE");
    if (!values.count("output")) throw UsageError("missing -o/--output FILE");
    if (values.count("vocab-size") && values["vocab-size"].as<std::int64_t>() < 1) {
        throw UsageError("--vocab-size must be >= 1");
    }
    if (values.count("vocab-size") && values["vocab-size"].as<std::int64_t>() > (std::int64_t{1} << 32)) {
        throw UsageError("--vocab-size must be at most 2^32");
    }
    if (checkpoint && (values.count("token-dtype") || !values["tokenizer"].defaulted())) {
        throw UsageError("--token-dtype and --tokenizer apply to --tokens");
    }
    if (!checkpoint && (values.count("config") || values.count("model-name") || values.count("architecture"))) {
        throw UsageError("--config, --model-name and --architecture apply to --safetensors");
    }
    const std::string output = values["output"].as<std::string>();
    const std::int64_t memory = cli::parse_byte_size(values["mem-per-rank"].as<std::string>(), "mem-per-rank");
    return checkpoint ? import_checkpoint(world, values, output, memory)
                      : import_token_file(world, values, output, memory);
}

}  // namespace

int main(int argc, char** argv) { return cli::run_program(program, argc, argv, import_main); }
