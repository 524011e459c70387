#include "ctscale/app/results_file.hpp"

#include <hdf5.h>
#include <mpi.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>

#include "ctscale/error.hpp"
#include "ctscale/hdf5/attributes.hpp"
#include "ctscale/hdf5/file.hpp"
#include "ctscale/hdf5/table.hpp"
#include "ctscale/io/atomic_file.hpp"
#include "ctscale/linalg/blas.hpp"
#include "ctscale/transition/transition_report.hpp"

#ifndef CTSCALE_SCALAPACK_VERSION
#define CTSCALE_SCALAPACK_VERSION "unknown"
#endif

namespace ctscale::app {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return text;
}

std::string mpi_library_version() {
    char text[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(text, &length);
    std::string version(text, length);
    return version.substr(0, version.find_first_of(",\n"));
}

std::string hdf5_library_version() {
    unsigned major = 0, minor = 0, release = 0;
    H5get_libversion(&major, &minor, &release);
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

void write_root_attributes(hid_t file, const RunRecord& record) {
    using hdf5::write_attribute;
    const RunOptions& o = *record.options;
    write_attribute(file, "schema", "ctscale.results");
    write_attribute(file, "schema_version", std::int64_t{1});
    write_attribute(file, "ctscale_version", CTSCALE_VERSION);
    write_attribute(file, "created_utc", utc_now());
    write_attribute(file, "command_line", o.command_line);
    write_attribute(file, "mpi_ranks", std::int64_t{record.mpi_ranks});
    write_attribute(file, "working_ranks", std::int64_t{record.working_ranks});
    write_attribute(file, "input_file", record.input_file);
    write_attribute(file, "input_size_bytes", record.input_size_bytes);
    write_attribute(file, "model_name", record.model.model_name);
    write_attribute(file, "model_architecture", record.model.architecture);
    write_attribute(file, "model_d_model", record.model.d_model);
    write_attribute(file, "model_n_layers", record.model.n_layers);
    write_attribute(file, "model_vocab_size", record.model.vocab_size);
    write_attribute(file, "model_source", record.model.source);
    write_attribute(file, "total_params", record.total_params);
    // A run on a token stream alone fits nothing: no K settings, and the fit tables are empty.
    const bool fitted = !record.input_file.empty();
    write_attribute(file, "k_values", fitted ? o.k_values : std::vector<std::int64_t>{});
    write_attribute(file, "k_rule", fitted && o.k_rule ? o.k_rule->text() : std::string("none"));
    write_attribute(file, "basis_width", o.width);
    write_attribute(file, "null_seed", o.null_seed);
    write_attribute(file, "spectral_mode", spectral::name_of(o.spectral));
    write_attribute(file, "tokens_file", o.tokens);
    write_attribute(file, "mpi_version", mpi_library_version());
    write_attribute(file, "hdf5_version", hdf5_library_version());
    write_attribute(file, "scalapack_version", CTSCALE_SCALAPACK_VERSION);
    write_attribute(file, "blas_vendor", linalg::blas_vendor());
    write_attribute(file, "time_read", record.times.read);
    write_attribute(file, "time_fit", record.times.fit);
    write_attribute(file, "time_spectral", record.times.spectral);
    write_attribute(file, "time_transition", record.times.transition);
    write_attribute(file, "peak_rss_bytes", record.peak_rss_bytes);
}

void write_matrices_table(hid_t summary, const std::vector<fit::MatrixResult>& matrices,
                          const std::vector<spectral::SpectralResult>& spectra) {
    std::vector<std::string> names, kinds, dtypes, methods, grids;
    std::vector<std::int32_t> layers;
    std::vector<std::int64_t> rows, cols, params;
    std::vector<double> frobenius, per_param;
    // docs/definitions.md §6 fields, in table order, and where each lives in a SpectralResult.
    const auto& fields = spectral::spectral_fields;
    std::vector<std::vector<double>> columns(std::size(fields));
    for (std::size_t i = 0; i < matrices.size(); ++i) {
        const auto& m = matrices[i];
        const spectral::SpectralResult spectrum = i < spectra.size() ? spectra[i] : spectral::SpectralResult{};
        names.push_back(m.tensor.name);
        layers.push_back(m.tensor.layer);
        kinds.push_back(m.tensor.kind);
        rows.push_back(m.tensor.rows);
        cols.push_back(m.tensor.cols);
        params.push_back(m.tensor.n_params());
        dtypes.push_back(io::name_of(m.tensor.dtype));
        frobenius.push_back(m.status == "ok" ? m.frobenius_norm : nan);
        per_param.push_back(m.status == "ok" ? m.norm_per_param : nan);
        for (std::size_t f = 0; f < std::size(fields); ++f) columns[f].push_back(spectrum.*(fields[f].member));
        methods.push_back(spectrum.method.empty() ? "none" : spectrum.method);
        grids.push_back(spectrum.grid);
    }
    hdf5::Table table;
    table.add("name", names).add("layer", layers).add("kind", kinds).add("rows", rows).add("cols", cols);
    table.add("n_params", params)
        .add("dtype", dtypes)
        .add("frobenius_norm", frobenius)
        .add("norm_per_param", per_param);
    for (std::size_t f = 0; f < std::size(fields); ++f) table.add(fields[f].name, std::move(columns[f]));
    table.add("spectral_method", methods).add("grid", grids);
    table.write(summary, "matrices");
}

void write_fits_table(hid_t summary, const std::vector<fit::MatrixResult>& matrices) {
    std::vector<std::string> names, labels, statuses;
    std::vector<std::int32_t> ks;
    std::vector<std::int64_t> undefined;
    std::vector<double> r2_mean, r2_median, r2_pooled, r2_null, r2_excess, pr, pr_null, cond;
    std::vector<double> ss_res, ss_tot, ss_res_null;
    for (const auto& m : matrices) {
        for (const auto& s : m.settings) {
            names.push_back(m.tensor.name);
            labels.push_back(s.label);
            ks.push_back(static_cast<std::int32_t>(s.k));
            statuses.push_back(s.status);
            r2_mean.push_back(s.r2_mean);
            r2_median.push_back(s.r2_median);
            r2_pooled.push_back(s.r2_pooled);
            r2_null.push_back(s.r2_null_pooled);
            r2_excess.push_back(s.r2_excess);
            pr.push_back(s.amplitude_pr);
            pr_null.push_back(s.amplitude_pr_null);
            cond.push_back(s.basis_cond);
            undefined.push_back(s.undefined_rows);
            // The sums behind r2_pooled, so that readers can pool any subset of matrices.
            ss_res.push_back(s.fitted() ? s.ss_res : nan);
            ss_tot.push_back(s.fitted() ? s.ss_tot : nan);
            ss_res_null.push_back(s.fitted() ? s.ss_res_null : nan);
        }
    }
    hdf5::Table table;
    table.add("name", names).add("k_label", labels).add("k", ks).add("status", statuses);
    table.add("r2_mean", r2_mean).add("r2_median", r2_median).add("r2_pooled", r2_pooled);
    table.add("r2_null_pooled", r2_null).add("r2_excess", r2_excess).add("amplitude_pr", pr);
    table.add("amplitude_pr_null", pr_null).add("basis_cond", cond).add("undefined_rows", undefined);
    table.add("ss_res", ss_res).add("ss_tot", ss_tot).add("ss_res_null", ss_res_null);
    table.write(summary, "fits");
}

void write_model_tables(hid_t summary, const fit::ModelSummary& model) {
    {
        std::vector<std::string> labels;
        std::vector<std::int64_t> amplitude, fitted, total;
        std::vector<double> cf, ct, r2, r2_null;
        for (const auto& c : model.compression) {
            labels.push_back(c.label);
            amplitude.push_back(c.amplitude_params);
            fitted.push_back(c.fitted_params);
            total.push_back(c.total_params);
            cf.push_back(c.compression_fitted);
            ct.push_back(c.compression_total);
            r2.push_back(c.r2_pooled);
            r2_null.push_back(c.r2_null_pooled);
        }
        hdf5::Table table;
        table.add("k_label", labels).add("amplitude_params", amplitude).add("fitted_params", fitted);
        table.add("total_params", total).add("compression_fitted", cf).add("compression_total", ct);
        table.add("r2_pooled", r2).add("r2_null_pooled", r2_null);
        table.write(summary, "compression");
    }
    {
        std::vector<std::string> labels;
        std::vector<std::int64_t> counts;
        std::vector<double> mean, std, r, p, null_mean;
        for (const auto& a : model.amplitude_pr) {
            labels.push_back(a.label);
            mean.push_back(a.pr_mean);
            std.push_back(a.pr_std);
            counts.push_back(a.n_matrices);
            r.push_back(a.size_pr_pearson_r);
            p.push_back(a.size_pr_p_value);
            null_mean.push_back(a.pr_null_mean);
        }
        hdf5::Table table;
        table.add("k_label", labels).add("pr_mean", mean).add("pr_std", std).add("n_matrices", counts);
        table.add("size_pr_pearson_r", r).add("size_pr_p_value", p).add("pr_null_mean", null_mean);
        table.write(summary, "amplitude_pr");
    }
    std::vector<std::int32_t> layers;
    std::vector<std::int64_t> params;
    std::vector<double> norms, per_param;
    for (const auto& l : model.layer_norms.layers) {
        layers.push_back(static_cast<std::int32_t>(l.layer));
        params.push_back(l.n_params);
        norms.push_back(l.layer_norm);
        per_param.push_back(l.norm_per_param);
    }
    hdf5::Table table;
    table.add("layer", layers).add("n_params", params).add("layer_norm", norms).add("norm_per_param", per_param);
    table.write(summary, "layer_norms");
    hdf5::Handle dataset = hdf5::open_dataset(summary, "layer_norms");
    hdf5::write_attribute(dataset, "spearman_rho", model.layer_norms.spearman_rho);
    hdf5::write_attribute(dataset, "monotone_decreasing", model.layer_norms.monotone_decreasing);
}

void write_per_matrix(hid_t file, const std::vector<fit::MatrixResult>& matrices,
                      const std::vector<spectral::SpectralResult>& spectra) {
    hdf5::Handle group = hdf5::create_group(file, "matrices");
    for (std::size_t i = 0; i < matrices.size(); ++i) {
        const auto& m = matrices[i];
        hdf5::Handle matrix = hdf5::create_group(group, m.tensor.name);
        if (i < spectra.size() && !spectra[i].singular_values.empty()) {
            hdf5::write_vector(matrix, "singular_values", spectra[i].singular_values);
        }
        for (const auto& s : m.settings) {
            if (!s.fitted()) continue;
            hdf5::write_vector(matrix, "r2_k" + s.label, s.r2_rows, true);
            hdf5::write_vector(matrix, "amplitude_eigenvalues_k" + s.label, s.eigenvalues);
            if (!s.amplitudes.empty()) {
                hdf5::write_matrix(matrix, "amplitudes_k" + s.label, s.amplitudes, m.tensor.rows, s.k);
            }
        }
    }
}

}  // namespace

void write_transition_group(hid_t results_file, const transition::TransitionResults& results) {
    using namespace transition;
    using hdf5::write_attribute;
    hdf5::Handle group = hdf5::create_group(results_file, "transition");
    write_attribute(group, "tokens_file", results.tokens_path);
    write_attribute(group, "tokenizer", results.tokenizer);
    write_attribute(group, "tokens_source", results.tokens_source);
    write_attribute(group, "tokens_vocab_size", results.file_vocab_size);
    write_attribute(group, "distinct_tokens", results.distinct_tokens);
    write_attribute(group, "documents", results.documents);
    write_attribute(group, "null_seed", results.null_seed);

    hdf5::Table table;
    std::vector<std::int64_t> v, tokens, bigrams, dangling;
    for (const TransitionRow& row : results.rows) {
        v.push_back(row.vocab_size);
        tokens.push_back(row.tokens);
        bigrams.push_back(row.bigrams);
        dangling.push_back(row.dangling_rows);
    }
    table.add("vocab_size", v).add("tokens", tokens).add("bigrams", bigrams).add("dangling_rows", dangling);
    for (int null = 0; null < 2; ++null) {
        for (int q = 0; q < matrix_count; ++q) {
            std::vector<double> column;
            for (const TransitionRow& row : results.rows) column.push_back(null ? row.pr_null[q] : row.pr[q]);
            table.add(pr_column(q, null), column);
        }
    }
    table.write(group, "summary");
    hdf5::Handle summary = hdf5::open_dataset(group, "summary");
    for (int null = 0; null < 2; ++null) {
        for (int q = 0; q < matrix_count; ++q) {
            const LogLogSlope& s = null ? results.slopes_null[q] : results.slopes[q];
            write_attribute(summary, pr_column(q, null, "slope_"), s.slope);
            write_attribute(summary, pr_column(q, null, "slope_stderr_"), s.standard_error);
        }
    }
    if (!results.full_mode) return;
    for (const TransitionRow& row : results.rows) {
        hdf5::Handle spectra = hdf5::create_group(group, std::string("V").append(std::to_string(row.vocab_size)));
        for (int q = 0; q < matrix_count; ++q) {
            hdf5::write_vector(spectra, std::string("singular_values_") + matrix_names[q], row.singular_values[q]);
        }
    }
}

void write_results(const std::string& path, const RunRecord& record, const RunResults& results) {
    // Assembled in memory and written with write_file_atomically: an I/O error (a full
    // disk) then surfaces in our own write, never inside HDF5's flush of a half-written file.
    std::string image;
    try {
        hdf5::File file = hdf5::File::create_in_memory(path);
        write_root_attributes(file, record);
        {
            hdf5::Handle group = hdf5::create_group(file, "summary");
            write_matrices_table(group, results.matrices, results.spectra);
            write_fits_table(group, results.matrices);
            write_model_tables(group, results.summary);
        }
        write_per_matrix(file, results.matrices, results.spectra);
        if (results.transition) write_transition_group(file, *results.transition);
        image = file.image();
        file.close();
    } catch (const Error& e) {
        throw InputError(path + ": cannot assemble results: " + e.what());
    }
    io::write_file_atomically(path, image);
}

}  // namespace ctscale::app
