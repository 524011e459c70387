// The safetensors header parser and the import plan: valid headers, every malformed case
// the importer must refuse with a clear message, dtype support, buffers, orientation, order.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "ctscale/error.hpp"
#include "ctscale/import/import_plan.hpp"
#include "ctscale/import/safetensors.hpp"

using namespace ctscale;
using import::parse_safetensors_header;

namespace {

/// Expects `f` to throw InputError whose message contains `fragment`.
template <typename F>
void expect_error(F&& f, const std::string& fragment) {
    try {
        f();
        ADD_FAILURE() << "no error; expected one containing '" << fragment << "'";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

/// Writes a file of an 8-byte length `claimed` (default: the header's), the header, and `data_bytes` zeros.
std::string write_file(const std::string& stem, const std::string& header, std::uint64_t data_bytes,
                       std::int64_t claimed = -1) {
    const std::string path = "/tmp/ctscale-test-" + stem + "-" + std::to_string(getpid()) + ".safetensors";
    std::ofstream out(path, std::ios::binary);
    std::uint64_t n = claimed < 0 ? header.size() : static_cast<std::uint64_t>(claimed);
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
    out << header << std::string(data_bytes, '\0');
    return path;
}

const std::string two_tensors = R"({"b": {"dtype": "BF16", "shape": [2, 3], "data_offsets": [16, 28]},)"
                                R"( "a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},)"
                                R"( "__metadata__": {"format": "pt"}})";

}  // namespace

TEST(SafetensorsHeader, ParsesTensorsInDataOrderWithAbsoluteOffsets) {
    auto header = parse_safetensors_header(two_tensors, 100, 28);
    ASSERT_EQ(header.tensors.size(), 2u);
    EXPECT_EQ(header.tensors[0].name, "a");
    EXPECT_EQ(header.tensors[0].begin, 108u);  // 8-byte length + 100-byte header
    EXPECT_EQ(header.tensors[1].name, "b");
    EXPECT_EQ(header.tensors[1].dtype, "BF16");
    EXPECT_EQ(header.tensors[1].shape, (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(header.tensors[1].end, 136u);
    EXPECT_EQ(header.metadata.at("format"), "pt");
}

TEST(SafetensorsHeader, AcceptsScalarsEmptyTensorsAndPaddedHeaders) {
    auto header = parse_safetensors_header(
        R"({"s": {"dtype": "F64", "shape": [], "data_offsets": [0, 8]}, "e": {"dtype": "F16", "shape": [0, 4], "data_offsets": [8, 8]}}   )",
        200, 8);
    EXPECT_EQ(header.tensors.size(), 2u);
}

TEST(SafetensorsHeader, RefusesMalformedJson) {
    expect_error([] { parse_safetensors_header(R"({"a": {"dtype": )", 10, 0); }, "not valid JSON");
    expect_error([] { parse_safetensors_header(R"([1, 2])", 6, 0); }, "not a JSON object");
    expect_error([] { parse_safetensors_header(R"({"a": [0]})", 10, 0); }, "tensor 'a': entry is not an object");
    expect_error([] { parse_safetensors_header(R"({"a": {"dtype": "F32", "shape": [1]}})", 10, 4); },
                 "missing 'data_offsets'");
    expect_error([] { parse_safetensors_header(R"({"__metadata__": {"k": 1}})", 10, 0); }, "is not a string");
}

TEST(SafetensorsHeader, RefusesDuplicateNames) {
    expect_error(
        [] {
            parse_safetensors_header(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},)"
                                     R"( "a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
                                     10, 8);
        },
        "duplicate tensor name 'a'");
}

TEST(SafetensorsHeader, RefusesBadShapesDtypesAndOffsets) {
    expect_error(
        [] { parse_safetensors_header(R"({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", 1, 4); },
        "not a non-negative integer");
    expect_error(
        [] { parse_safetensors_header(R"({"a": {"dtype": "Q4", "shape": [1], "data_offsets": [0, 4]}})", 1, 4); },
        "unknown dtype 'Q4'");
    expect_error(
        [] { parse_safetensors_header(R"({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", 1, 8); },
        "shape/offset mismatch");
    expect_error(
        [] { parse_safetensors_header(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}})", 1, 4); },
        "end < begin");
    expect_error(
        [] { parse_safetensors_header(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0]}})", 1, 4); },
        "not a pair");
}

TEST(SafetensorsHeader, RefusesOverlapsHolesAndDataPastTheEnd) {
    expect_error(
        [] {
            parse_safetensors_header(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                                     R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                                     10, 12);
        },
        "overlap");
    expect_error(
        [] { parse_safetensors_header(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", 10, 4); },
        "run past the end of the data");
    expect_error(
        [] { parse_safetensors_header(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})", 10, 8); },
        "belong to no tensor");
    expect_error(
        [] { parse_safetensors_header(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})", 10, 8); },
        "last 4 bytes");
}

TEST(SafetensorsHeader, RefusesSizesThatOverflow) {
    // 2^32 · 2^32 elements: more than int64 holds, though each dimension is fine.
    expect_error(
        [] {
            parse_safetensors_header(
                R"({"a": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 0]}})", 1, 0);
        },
        "tensor 'a': shape [4294967296, 4294967296]: 4294967296 × 4294967296 overflows");
    // 2^61 F64 elements fit int64, but their 2^67 bits do not fit uint64 (which wrapped to 0 bytes).
    expect_error(
        [] {
            parse_safetensors_header(
                R"({"a": {"dtype": "F64", "shape": [2305843009213693952], "data_offsets": [0, 0]}})", 1, 0);
        },
        "overflows");
    // Offsets near 2^64 wrapped when made absolute, so an empty tensor looked in bounds.
    expect_error(
        [] {
            parse_safetensors_header(
                R"({"a": {"dtype": "U8", "shape": [0], "data_offsets": [18446744073709551610, 18446744073709551610]}})",
                1, 0);
        },
        "run past the end of the data");
    expect_error([] { parse_safetensors_header("{}", UINT64_MAX - 3, 0); }, "header length: 8 + ");
}

TEST(SafetensorsFile, ParsesAFileHeldInMemory) {
    std::string file(8, '\0');
    file[0] = static_cast<char>(two_tensors.size());
    file += two_tensors + std::string(28, '\0');
    const auto header = import::parse_safetensors_file(file);
    ASSERT_EQ(header.tensors.size(), 2u);
    EXPECT_EQ(header.tensors.back().end, file.size());
    expect_error([] { import::parse_safetensors_file("abc"); }, "shorter than its 8-byte header length");
    expect_error([&] { import::parse_safetensors_file(file.substr(0, 20)); }, "runs past the end of the file");
}

TEST(SafetensorsFile, ReadsAValidFile) {
    const std::string path = write_file("valid", two_tensors, 28);
    auto header = import::read_safetensors_header(path);
    EXPECT_EQ(header.tensors.size(), 2u);
    EXPECT_EQ(header.tensors[0].begin, 8 + two_tensors.size());
    std::remove(path.c_str());
}

TEST(SafetensorsFile, RefusesTruncatedFilesAndImplausibleLengths) {
    const std::string tiny = "/tmp/ctscale-test-tiny-" + std::to_string(getpid()) + ".safetensors";
    std::ofstream(tiny) << "abc";
    expect_error([&] { import::read_safetensors_header(tiny); }, "shorter than its 8-byte header length");
    const std::string beyond = write_file("beyond", two_tensors, 0, 5000);
    expect_error([&] { import::read_safetensors_header(beyond); }, "runs past the end of the file");
    const std::string huge = write_file("huge", two_tensors, 0, 200'000'000);
    expect_error([&] { import::read_safetensors_header(huge); }, "exceeds the format's limit");
    const std::string cut = write_file("cut", two_tensors, 20);  // data shorter than the offsets say
    expect_error([&] { import::read_safetensors_header(cut); }, cut + ": tensor 'b'");
    expect_error([&] { import::read_safetensors_header("/nonexistent/x.safetensors"); }, "cannot open");
    for (const auto& p : {tiny, beyond, huge, cut}) std::remove(p.c_str());
}

namespace {

import::SafetensorsSource source_of(const std::string& json, std::uint64_t data_bytes){import::SafetensorsSource source;
source.input = "model.safetensors";
source.shards = {"shard-1.safetensors"};
for (auto& t : parse_safetensors_header(json, 1, data_bytes).tensors) source.tensors.push_back({t, 0});
return source;
}  // namespace

}  // namespace

TEST(ImportPlan, RefusesUnsupportedDtypesNamingTheTensor) {
    EXPECT_EQ(import::stored_type_of("BF16"), io::StoredType::bf16);
    auto source = source_of(R"({"q.weight": {"dtype": "I8", "shape": [2, 2], "data_offsets": [0, 4]}})", 4);
    expect_error([&] { import::plan_import(source); }, "shard-1.safetensors: tensor 'q.weight': unsupported dtype I8");
    auto fp8 = source_of(R"({"w": {"dtype": "F8_E4M3", "shape": [4], "data_offsets": [0, 4]}})", 4);
    expect_error([&] { import::plan_import(fp8); }, "unsupported dtype F8_E4M3");
}

TEST(ImportPlan, LeavesOutBuffersTransposesConv1DAndOrdersLayersNumerically) {
    auto source =
        source_of(R"({"h.10.attn.c_attn.weight": {"dtype": "F32", "shape": [2, 6], "data_offsets": [0, 48]},)"
                  R"( "h.2.attn.c_attn.weight": {"dtype": "F32", "shape": [2, 6], "data_offsets": [48, 96]},)"
                  R"( "h.2.attn.bias": {"dtype": "F32", "shape": [1, 1, 2, 2], "data_offsets": [96, 112]},)"
                  R"( "embeddings.position_ids": {"dtype": "I64", "shape": [1, 2], "data_offsets": [112, 128]},)"
                  R"( "wte.weight": {"dtype": "BF16", "shape": [5, 2], "data_offsets": [128, 148]},)"
                  R"( "mystery": {"dtype": "F16", "shape": [3], "data_offsets": [148, 154]},)"
                  R"( "conv.weight": {"dtype": "F32", "shape": [1, 1, 1, 1], "data_offsets": [154, 158]}})",
                  158);
    const auto plan = import::plan_import(source);
    ASSERT_EQ(plan.items.size(), 4u);
    EXPECT_EQ(plan.items[0].target.layer, -1);
    EXPECT_EQ(plan.items[2].target.name, "h.2.attn.c_attn.weight");
    EXPECT_EQ(plan.items[3].target.name, "h.10.attn.c_attn.weight");
    EXPECT_TRUE(plan.items[3].target.transposed);
    EXPECT_EQ(plan.items[3].target.rows, 6);
    EXPECT_EQ(plan.items[3].target.cols, 2);
    EXPECT_EQ(plan.buffers, (std::vector<std::string>{"embeddings.position_ids", "h.2.attn.bias"}));
    EXPECT_EQ(plan.unknown, (std::vector<std::string>{"mystery"}));
    EXPECT_EQ(plan.left_out, (std::vector<std::string>{"conv.weight [1, 1, 1, 1]"}));
    EXPECT_EQ(plan.family, "gpt2");
    EXPECT_EQ(plan.total_params(), 12 + 12 + 10 + 3);
}
