#pragma once
/// The embedded default of ctscale-mpi (docs/programs.md): the tiny-10m synthetic checkpoint and a
/// synthetic token stream, generated into temporary files that rank 0 removes when the run
/// ends, however it ends.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <string>

namespace ctscale::app {

class EmbeddedInputs {
public:
    /// Collective: writes both files.
    explicit EmbeddedInputs(const boost::mpi::communicator& world);
    /// At least the bytes the two files will hold (4 per weight and per token), before writing them.
    static std::int64_t approximate_bytes();
    ~EmbeddedInputs();
    EmbeddedInputs(const EmbeddedInputs&) = delete;
    EmbeddedInputs& operator=(const EmbeddedInputs&) = delete;

    const std::string& checkpoint() const noexcept { return checkpoint_; }
    const std::string& tokens() const noexcept { return tokens_; }

private:
    const boost::mpi::communicator& world_;
    std::string checkpoint_, tokens_;
};

}  // namespace ctscale::app
