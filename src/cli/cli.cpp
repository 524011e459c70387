#include "ctscale/cli/cli.hpp"

#include <cctype>
#include <limits>
#include <sstream>

#include "ctscale/error.hpp"

namespace ctscale::cli {

po::variables_map parse_command_line(const std::vector<std::string>& args, const po::options_description& options) {
    po::variables_map values;
    try {
        po::store(po::command_line_parser(args).options(options).run(), values);
        po::notify(values);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }
    return values;
}

std::vector<std::int64_t> parse_int_list(const std::string& text, const std::string& option, std::int64_t minimum) {
    std::vector<std::int64_t> values;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ',')) {
        std::size_t used = 0;
        long long value = 0;
        try {
            value = std::stoll(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (item.empty() || used != item.size()) {
            throw UsageError("--" + option + ": '" + text + "' is not a comma-separated list of integers");
        }
        if (value < minimum) {
            throw UsageError("--" + option + ": " + item + " is out of range (must be >= " + std::to_string(minimum) +
                             ")");
        }
        values.push_back(value);
    }
    if (values.empty() || (!text.empty() && text.back() == ',')) {
        throw UsageError("--" + option + ": '" + text + "' is not a comma-separated list of integers");
    }
    return values;
}

std::int64_t parse_byte_size(const std::string& text, const std::string& option) {
    std::size_t used = 0;
    double value = 0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    double factor = 1;
    std::string suffix = text.substr(used);
    if (suffix == "K" || suffix == "k")
        factor = 1 << 10;
    else if (suffix == "M" || suffix == "m")
        factor = 1 << 20;
    else if (suffix == "G" || suffix == "g")
        factor = double(1 << 30);
    else if (suffix == "T" || suffix == "t")
        factor = double(1 << 30) * 1024;
    else if (!suffix.empty() && suffix != "B")
        used = 0;
    if (used == 0 || !(value > 0) || value * factor > double(std::numeric_limits<std::int64_t>::max())) {
        throw UsageError("--" + option + ": '" + text + "' is not a size such as 2G, 512M or 65536");
    }
    return static_cast<std::int64_t>(value * factor);
}

std::string join_command_line(const std::string& program, const std::vector<std::string>& args) {
    std::string line = program;
    for (const auto& arg : args) {
        bool plain = !arg.empty();
        for (char c : arg)
            plain = plain && (std::isalnum(static_cast<unsigned char>(c)) ||
                              std::string("-_=./,:+").find(c) != std::string::npos);
        line += " " + (plain ? arg : "'" + arg + "'");
    }
    return line;
}

}  // namespace ctscale::cli
