#pragma once
// Takes typed values off the front of a fuzz input. An exhausted input yields zeros and
// empty strings, so every byte string decodes to some description (libFuzzer mutates
// freely; nothing is rejected for being short).
#include <cstddef>
#include <cstdint>
#include <string>

namespace ctscale::fuzz {

class ByteReader {
public:
    ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    std::uint8_t byte() { return size_ ? (--size_, *data_++) : 0; }
    /// A choice among `n` (> 0) alternatives.
    unsigned pick(unsigned n) { return byte() % n; }
    std::uint64_t u64() {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v |= std::uint64_t{byte()} << (8 * i);
        return v;
    }
    /// A length byte (at most `max_length`), then that many bytes.
    std::string text(std::size_t max_length) {
        std::string s(byte() % (max_length + 1), '\0');
        for (char& c : s) c = static_cast<char>(byte());
        return s;
    }
    bool empty() const noexcept { return size_ == 0; }

private:
    const std::uint8_t* data_;
    std::size_t size_;
};

}  // namespace ctscale::fuzz
