#pragma once
/// Small self-checking binary records: a magic line, values in native byte order, and an
/// FNV-1a checksum of everything before it. They hold a finished piece of a run (a matrix's
/// fit, a spectrum, the transition results) in its progress journal, so that --resume
/// reloads it bit for bit; a truncated or corrupt record is refused, never half-read.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace ctscale::io {

class RecordWriter {
public:
    explicit RecordWriter(std::string_view magic) : bytes_(magic) {}
    template <typename T>
    void value(const T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        bytes_.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    void text(const std::string& s);
    void doubles(const std::vector<double>& v);
    /// The record, with its checksum appended.
    std::string finish();

private:
    std::string bytes_;
};

class RecordReader {
public:
    /// Throws InputError naming `source` unless `bytes` starts with `magic` and its checksum holds.
    RecordReader(std::string_view bytes, std::string_view magic, const std::string& source);
    template <typename T>
    T value() {
        static_assert(std::is_trivially_copyable_v<T>);
        T v;
        need(sizeof v);
        std::memcpy(&v, bytes_.data() + position_, sizeof v);
        position_ += sizeof v;
        return v;
    }
    std::string text();
    std::vector<double> doubles();
    /// Throws unless every byte was read.
    void done();

private:
    void need(std::uint64_t size);
    [[noreturn]] void fail(const std::string& why);
    std::string_view bytes_;
    std::string source_;
    std::size_t position_ = 0, end_ = 0;
};

}  // namespace ctscale::io
