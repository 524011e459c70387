#include "ctscale/fit/matrix_record.hpp"

#include <cstring>
#include <type_traits>

#include "ctscale/error.hpp"
#include "ctscale/util/random.hpp"

namespace ctscale::fit {
namespace {

constexpr std::string_view magic = "ctscale-fit-record-1\n";

class Writer {
public:
    template <typename T>
    void value(const T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        bytes_.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    void text(const std::string& s) {
        value(std::uint64_t{s.size()});
        bytes_ += s;
    }
    void doubles(const std::vector<double>& v) {
        value(std::uint64_t{v.size()});
        bytes_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
    }
    std::string finish() {
        value(util::hash_name(bytes_));  // FNV-1a of everything before it
        return std::move(bytes_);
    }
    explicit Writer(std::string_view header) : bytes_(header) {}

private:
    std::string bytes_;
};

class Reader {
public:
    Reader(std::string_view bytes, const std::string& source) : bytes_(bytes), source_(source) {
        if (bytes.size() < magic.size() + 8 || bytes.substr(0, magic.size()) != magic) fail("not a ctscale fit record");
        std::uint64_t stored;
        std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
        if (stored != util::hash_name(bytes.substr(0, bytes.size() - 8))) fail("checksum mismatch (corrupt record)");
        position_ = magic.size();
        end_ = bytes.size() - 8;
    }
    template <typename T>
    T value() {
        T v;
        need(sizeof v);
        std::memcpy(&v, bytes_.data() + position_, sizeof v);
        position_ += sizeof v;
        return v;
    }
    std::string text() {
        const auto size = value<std::uint64_t>();
        need(size);
        std::string s(bytes_.substr(position_, size));
        position_ += size;
        return s;
    }
    std::vector<double> doubles() {
        const auto size = value<std::uint64_t>();
        need(size * sizeof(double));
        std::vector<double> v(size);
        std::memcpy(v.data(), bytes_.data() + position_, size * sizeof(double));
        position_ += size * sizeof(double);
        return v;
    }
    void done() {
        if (position_ != end_) fail("unexpected trailing bytes");
    }

private:
    void need(std::uint64_t size) {
        if (size > end_ - position_) fail("truncated record");
    }
    [[noreturn]] void fail(const std::string& why) { throw InputError(source_ + ": " + why); }
    std::string_view bytes_;
    const std::string& source_;
    std::size_t position_ = 0, end_ = 0;
};

}  // namespace

std::string encode_record(const MatrixResult& r) {
    Writer w(magic);
    const io::TensorInfo& t = r.tensor;
    w.text(t.name);
    w.value(t.rank);
    w.value(t.rows);
    w.value(t.cols);
    w.value(t.layer);
    w.text(t.kind);
    w.value(t.dtype);
    w.value(t.transposed);
    w.text(r.status);
    w.value(r.nonfinite);
    w.value(r.frobenius_norm);
    w.value(r.norm_per_param);
    w.value(std::uint64_t{r.settings.size()});
    for (const SettingResult& s : r.settings) {
        w.text(s.label);
        w.value(s.k);
        w.text(s.status);
        for (double v : {s.r2_mean, s.r2_median, s.r2_pooled, s.r2_null_pooled, s.r2_excess, s.amplitude_pr,
                         s.amplitude_pr_null, s.basis_cond, s.ss_res, s.ss_tot, s.ss_res_null}) {
            w.value(v);
        }
        w.value(s.undefined_rows);
        w.doubles(s.r2_rows);
        w.doubles(s.eigenvalues);
        w.doubles(s.amplitudes);
    }
    return w.finish();
}

MatrixResult decode_record(std::string_view bytes, const std::string& source) {
    Reader in(bytes, source);
    MatrixResult r;
    io::TensorInfo& t = r.tensor;
    t.name = in.text();
    t.rank = in.value<int>();
    t.rows = in.value<std::int64_t>();
    t.cols = in.value<std::int64_t>();
    t.layer = in.value<int>();
    t.kind = in.text();
    t.dtype = in.value<io::StoredType>();
    t.transposed = in.value<bool>();
    r.status = in.text();
    r.nonfinite = in.value<NonFinite>();
    r.frobenius_norm = in.value<double>();
    r.norm_per_param = in.value<double>();
    const auto settings = in.value<std::uint64_t>();
    for (std::uint64_t i = 0; i < settings; ++i) {
        SettingResult s;
        s.label = in.text();
        s.k = in.value<std::int64_t>();
        s.status = in.text();
        for (double* v : {&s.r2_mean, &s.r2_median, &s.r2_pooled, &s.r2_null_pooled, &s.r2_excess, &s.amplitude_pr,
                          &s.amplitude_pr_null, &s.basis_cond, &s.ss_res, &s.ss_tot, &s.ss_res_null}) {
            *v = in.value<double>();
        }
        s.undefined_rows = in.value<std::int64_t>();
        s.r2_rows = in.doubles();
        s.eigenvalues = in.doubles();
        s.amplitudes = in.doubles();
        r.settings.push_back(std::move(s));
    }
    in.done();
    return r;
}

}  // namespace ctscale::fit
