#include "ctscale/fit/matrix_record.hpp"

#include "ctscale/io/binary_record.hpp"

namespace ctscale::fit {
namespace {

constexpr std::string_view magic = "ctscale-fit-record-1\n";

}  // namespace

std::string encode_record(const MatrixResult& r) {
    io::RecordWriter w(magic);
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
    io::RecordReader in(bytes, magic, source);
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
