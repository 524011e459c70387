#include "ctscale/spectral/spectral_result.hpp"

#include "ctscale/error.hpp"

namespace ctscale::spectral {

std::string name_of(SpectralMode mode) {
    switch (mode) {
        case SpectralMode::none: return "none";
        case SpectralMode::pr: return "pr";
        case SpectralMode::full: return "full";
    }
    return "none";
}

SpectralMode parse_spectral_mode(const std::string& text) {
    if (text == "none") return SpectralMode::none;
    if (text == "pr") return SpectralMode::pr;
    if (text == "full") return SpectralMode::full;
    throw UsageError("--spectral: expected none, pr or full, not '" + text + "'");
}

}  // namespace ctscale::spectral
