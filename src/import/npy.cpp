#include "ctscale/import/npy.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <variant>

#include "ctscale/error.hpp"
#include "ctscale/import/positioned_file.hpp"
#include "ctscale/util/checked.hpp"

namespace ctscale::import {
namespace {

constexpr std::string_view magic = "\x93NUMPY";

using Value = std::variant<std::string, bool, std::vector<std::int64_t>>;

/// A reader of the small Python literal grammar np.save writes: a dict whose values are
/// strings, True/False, or tuples of integers.
class Literal {
public:
    explicit Literal(std::string_view text) : text_(text) {}

    std::map<std::string, Value> dict() {
        std::map<std::string, Value> out;
        expect('{');
        while (!accept('}')) {
            std::string key = string();
            expect(':');
            out[key] = value();
            if (!accept(',')) {
                expect('}');
                break;
            }
        }
        skip_space();
        if (pos_ != text_.size()) fail("text after the dict");
        return out;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw InputError("malformed .npy header (" + what + " at character " + std::to_string(pos_) + ")");
    }
    void skip_space() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    bool accept(char c) {
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == c) return ++pos_, true;
        return false;
    }
    void expect(char c) {
        if (!accept(c)) fail(std::string("expected '") + c + "'");
    }
    std::string string() {
        skip_space();
        if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) fail("expected a string");
        const char quote = text_[pos_++];
        const std::size_t end = text_.find(quote, pos_);
        if (end == std::string_view::npos) fail("unterminated string");
        std::string s(text_.substr(pos_, end - pos_));
        pos_ = end + 1;
        return s;
    }
    std::int64_t integer() {
        skip_space();
        const std::size_t start = pos_;
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
        if (pos_ == start || pos_ - start > 18) fail("expected a dimension");
        const std::int64_t n = std::stoll(std::string(text_.substr(start, pos_ - start)));
        if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;  // Python 2 long
        return n;
    }
    Value value() {
        skip_space();
        if (pos_ < text_.size() && (text_[pos_] == '\'' || text_[pos_] == '"')) return string();
        if (text_.substr(pos_, 4) == "True") return pos_ += 4, true;
        if (text_.substr(pos_, 5) == "False") return pos_ += 5, false;
        if (accept('(')) {
            std::vector<std::int64_t> dims;
            while (!accept(')')) {
                dims.push_back(integer());
                if (!accept(',')) {
                    expect(')');
                    break;
                }
            }
            return dims;
        }
        fail("unsupported value (structured dtypes are not token ids)");
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

std::uint64_t little_endian(std::string_view bytes) {
    std::uint64_t v = 0;
    for (std::size_t i = bytes.size(); i-- > 0;) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
    return v;
}

/// Bytes before the dict: magic, version, and the header length field.
std::size_t preamble(std::string_view prefix, int& major) {
    if (prefix.size() < 10 || prefix.substr(0, 6) != magic) throw InputError("not a .npy file (no \\x93NUMPY magic)");
    major = static_cast<unsigned char>(prefix[6]);
    if (major < 1 || major > 3) throw InputError("unsupported .npy format version " + std::to_string(major));
    return major == 1 ? 10 : 12;
}

}  // namespace

std::int64_t NpyHeader::elements() const noexcept {
    std::int64_t n = 1;
    for (std::int64_t d : shape) n *= d;
    return n;
}

NpyHeader parse_npy_header(std::string_view prefix) {
    NpyHeader header;
    const std::size_t start = preamble(prefix, header.major_version);
    if (prefix.size() < start) throw InputError("truncated .npy header");
    const std::uint64_t length = little_endian(prefix.substr(8, start - 8));
    if (length > max_npy_header) throw InputError(".npy header length " + std::to_string(length) + " is implausible");
    if (prefix.size() < start + length) throw InputError("truncated .npy header");
    header.data_offset = start + length;
    auto dict = Literal(prefix.substr(start, length)).dict();
    const auto* descr = dict.count("descr") ? std::get_if<std::string>(&dict["descr"]) : nullptr;
    const auto* fortran = dict.count("fortran_order") ? std::get_if<bool>(&dict["fortran_order"]) : nullptr;
    const auto* shape = dict.count("shape") ? std::get_if<std::vector<std::int64_t>>(&dict["shape"]) : nullptr;
    if (!descr || !fortran || !shape) throw InputError("malformed .npy header (needs descr, fortran_order and shape)");
    header.descr = *descr;
    header.fortran_order = *fortran;
    header.shape = *shape;
    // elements() and the byte count of the data rely on this product fitting in int64.
    std::int64_t n = 1;
    for (std::int64_t d : header.shape) n = util::checked_mul(n, d, ".npy shape");
    return header;
}

NpyHeader read_npy_header(const std::string& path) {
    const PositionedFile file(path);
    try {
        std::string prefix(std::min<std::uint64_t>(file.size(), 12), '\0');
        file.read_exact(0, prefix.size(), prefix.data(), "npy header");
        int major = 1;
        const std::size_t start = preamble(prefix, major);
        if (prefix.size() < start) throw InputError("truncated .npy header");
        const std::uint64_t length = little_endian(std::string_view(prefix).substr(8, start - 8));
        if (length > max_npy_header)
            throw InputError(".npy header length " + std::to_string(length) + " is implausible");
        if (start + length > file.size()) throw InputError("header length runs past the end of the file");
        prefix.resize(start + length);
        file.read_exact(0, prefix.size(), prefix.data(), "npy header");
        return parse_npy_header(prefix);
    } catch (const InputError& e) {
        if (std::string_view(e.what()).rfind(path, 0) == 0) throw;
        throw InputError(path + ": " + e.what());
    }
}

}  // namespace ctscale::import
