#include "checkpoint_description.hpp"

#include <cmath>
#include <limits>

#include "ctscale/io/checkpoint.hpp"

namespace ctscale::fuzz {
namespace {

// Small sizes (most often), a zero, and declared sizes whose products overflow int64 and
// uint64 in each combination. HDF5 creates no chunked dimension above 2^63 - 1.
constexpr std::array<hsize_t, 16> dim_table{1,
                                            2,
                                            3,
                                            4,
                                            5,
                                            7,
                                            16,
                                            0,
                                            2,
                                            3,
                                            std::uint64_t{1} << 20,
                                            std::uint64_t{1} << 31,
                                            std::uint64_t{1} << 32,
                                            std::uint64_t{1} << 61,
                                            std::uint64_t{1} << 62,
                                            std::numeric_limits<std::int64_t>::max()};

std::string expected_text(const std::string& name, ByteReader& in) {
    if (name == "schema") return io::checkpoint_schema;
    if (name == "kind") return io::weight_kinds()[in.pick(static_cast<unsigned>(io::weight_kinds().size()))];
    return "x";
}

std::int64_t expected_number(const std::string& name, ByteReader& in) {
    if (name == "schema_version") return io::checkpoint_schema_version;
    if (name == "transposed") return in.pick(2);
    if (name == "layer") return in.pick(40);
    return 1 + in.pick(100);
}

AttrSpec decode_attribute(const std::string& name, ByteReader& in) {
    AttrSpec a;
    // Half the byte values give the valid form, so deep checks are reached often (and an
    // exhausted input, all zeros, decodes to a valid checkpoint).
    const std::uint8_t form = in.byte();
    a.form = form < 128 ? AttrForm::expected : static_cast<AttrForm>(form % static_cast<unsigned>(AttrForm::count));
    switch (a.form) {
        case AttrForm::expected:
            if (is_integer_attribute(name))
                a.number = expected_number(name, in);
            else
                a.text = expected_text(name, in);
            break;
        case AttrForm::vlen_text:
            a.width = in.pick(2);
            a.text = in.text(24);
            break;
        case AttrForm::fixed_text: a.text = in.text(24); break;
        case AttrForm::text_array: a.text = in.text(8); break;
        case AttrForm::int64: a.number = static_cast<std::int64_t>(in.u64()); break;
        case AttrForm::narrow_int:
            a.width = in.pick(3);
            if (a.width == 0) a.number = static_cast<std::int8_t>(in.byte());
            if (a.width == 1) a.number = in.byte() | (in.byte() << 8);
            if (a.width == 2) a.number = static_cast<std::int32_t>(static_cast<std::uint32_t>(in.u64()));
            break;
        case AttrForm::real:
        case AttrForm::int_array: a.number = static_cast<std::int8_t>(in.byte()); break;
        default: break;
    }
    return a;
}

EntrySpec decode_entry(std::size_t index, ByteReader& in) {
    static const std::array<const char*, 4> stems{"w", "layers.0.mlp_up", "embed", "x y"};
    EntrySpec e;
    e.name = stems[in.pick(stems.size())] + std::to_string(index);
    const std::uint8_t form = in.byte();
    e.form = form < 200 ? EntryForm::dataset : form < 230 ? EntryForm::group : EntryForm::dangling_link;
    const std::uint8_t space = in.pick(8);
    e.space = space == 0 ? SpaceForm::scalar : space == 1 ? SpaceForm::null : SpaceForm::simple;
    if (e.space == SpaceForm::simple) {
        static const std::array<unsigned, 4> ranks{1, 2, 2, 3};
        e.dims.resize(ranks[in.pick(ranks.size())]);
        for (hsize_t& d : e.dims) d = dim_table[in.pick(dim_table.size())];
    }
    e.type = static_cast<ElementType>(in.pick(static_cast<unsigned>(ElementType::count)));
    e.layer = decode_attribute("layer", in);
    e.kind = decode_attribute("kind", in);
    e.transposed = decode_attribute("transposed", in);
    if (e.written()) {
        e.values.resize(e.elements());
        for (double& v : e.values) v = static_cast<std::int8_t>(in.byte()) / 8.0;  // exact in bf16 too
        for (unsigned k = in.pick(4); k > 0; --k) {
            const std::size_t at = (in.byte() | (in.byte() << 8)) % e.values.size();
            constexpr std::array<double, 3> bad{std::numeric_limits<double>::quiet_NaN(),
                                                std::numeric_limits<double>::infinity(),
                                                -std::numeric_limits<double>::infinity()};
            e.values[at] = bad[in.pick(3)];
        }
        for (double v : e.values) e.nonfinite += !std::isfinite(v);
    }
    return e;
}

}  // namespace

bool is_integer_attribute(const std::string& name) {
    return name == "schema_version" || name == "d_model" || name == "n_layers" || name == "vocab_size" ||
           name == "layer" || name == "transposed";
}

std::uint64_t EntrySpec::elements() const {
    if (space == SpaceForm::null) return 0;
    std::uint64_t n = 1;
    for (hsize_t d : dims) {
        if (__builtin_mul_overflow(n, d, &n)) return std::numeric_limits<std::uint64_t>::max();
    }
    return n;
}

bool EntrySpec::written() const {
    if (form != EntryForm::dataset || space == SpaceForm::null) return false;
    if (type != ElementType::f32 && type != ElementType::f64 && type != ElementType::f16 && type != ElementType::bf16 &&
        type != ElementType::f32_big_endian) {
        return false;
    }
    for (hsize_t d : dims) {
        if (d > 16) return false;
    }
    return elements() > 0 && elements() <= 256;
}

CheckpointSpec decode_checkpoint(ByteReader& in) {
    CheckpointSpec spec;
    for (std::size_t i = 0; i < spec.root.size(); ++i) spec.root[i] = decode_attribute(root_attribute_names[i], in);
    const std::uint8_t weights = in.byte();
    spec.weights = weights < 200   ? WeightsForm::group
                   : weights < 220 ? WeightsForm::absent
                   : weights < 240 ? WeightsForm::dataset
                                   : WeightsForm::dangling_link;
    for (unsigned n = in.pick(5), i = 0; i < n; ++i) spec.entries.push_back(decode_entry(i, in));
    return spec;
}

}  // namespace ctscale::fuzz
