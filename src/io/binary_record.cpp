#include "ctscale/io/binary_record.hpp"

#include "ctscale/error.hpp"
#include "ctscale/util/random.hpp"

namespace ctscale::io {

void RecordWriter::text(const std::string& s) {
    value(std::uint64_t{s.size()});
    bytes_ += s;
}

void RecordWriter::doubles(const std::vector<double>& v) {
    value(std::uint64_t{v.size()});
    bytes_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
}

std::string RecordWriter::finish() {
    value(util::hash_name(bytes_));  // FNV-1a of everything before it
    return std::move(bytes_);
}

RecordReader::RecordReader(std::string_view bytes, std::string_view magic, const std::string& source)
    : bytes_(bytes), source_(source) {
    if (bytes.size() < magic.size() + 8 || bytes.substr(0, magic.size()) != magic) {
        fail("not a record of this kind (expected '" + std::string(magic.substr(0, magic.size() - 1)) + "')");
    }
    std::uint64_t stored;
    std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
    if (stored != util::hash_name(bytes.substr(0, bytes.size() - 8))) fail("checksum mismatch (corrupt record)");
    position_ = magic.size();
    end_ = bytes.size() - 8;
}

std::string RecordReader::text() {
    const auto size = value<std::uint64_t>();
    need(size);
    std::string s(bytes_.substr(position_, size));
    position_ += size;
    return s;
}

std::vector<double> RecordReader::doubles() {
    const auto size = value<std::uint64_t>();
    need(size * sizeof(double));
    std::vector<double> v(size);
    std::memcpy(v.data(), bytes_.data() + position_, size * sizeof(double));
    position_ += size * sizeof(double);
    return v;
}

void RecordReader::done() {
    if (position_ != end_) fail("unexpected trailing bytes");
}

void RecordReader::need(std::uint64_t size) {
    if (size > end_ - position_) fail("truncated record");
}

void RecordReader::fail(const std::string& why) { throw InputError(source_ + ": " + why); }

}  // namespace ctscale::io
