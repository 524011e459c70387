// Checkpoint validation on in-memory files (hdf5::File::open_image): declared shapes whose
// sizes overflow are refused before anything is allocated for them; attributes of the
// wrong shape are refused instead of overrunning the reader's buffer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "ctscale/error.hpp"
#include "ctscale/hdf5/attributes.hpp"
#include "ctscale/hdf5/file.hpp"
#include "ctscale/io/checkpoint.hpp"

using namespace ctscale;

namespace {

io::ModelInfo model() {
    io::ModelInfo m;
    m.model_name = "limits";
    m.architecture = "test";
    m.d_model = 4;
    m.n_layers = 1;
    m.vocab_size = 10;
    m.source = "test_checkpoint_limits";
    return m;
}

/// A chunked f32 dataset of `dims` under /weights that is never written (costs nothing).
/// Chunks of up to 1024 per dimension keep the chunk count within what HDF5 indexes.
void declare(hid_t file, const std::string& name, std::vector<hsize_t> dims) {
    hdf5::Handle space =
        hdf5::dataspace(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "space");
    hdf5::Handle creation = hdf5::property_list(H5P_DATASET_CREATE);
    std::vector<hsize_t> chunk;
    for (hsize_t d : dims) chunk.push_back(std::min<hsize_t>(d, 1024));
    hdf5::check(H5Pset_chunk(creation, static_cast<int>(chunk.size()), chunk.data()), "H5Pset_chunk");
    hdf5::Handle weights = hdf5::open_group(file, "weights");
    hdf5::Handle dataset(H5Dcreate2(weights, name.c_str(), H5T_IEEE_F32LE, space, H5P_DEFAULT, creation, H5P_DEFAULT),
                         H5Dclose, "H5Dcreate2");
    hdf5::write_attribute(dataset, "layer", std::int64_t{0});
    hdf5::write_attribute(dataset, "kind", "mlp_up");
}

/// The message of validating the file `build` writes ("" when it is accepted).
template <typename Build>
std::string validate(Build&& build) {
    hdf5::File file = hdf5::File::create_in_memory("built.h5");
    io::write_checkpoint_header(file, model());
    build(file.id());
    const std::string image = file.image();
    try {
        io::Checkpoint::from_file(hdf5::File::open_image(image, "image.h5"));
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(CheckpointLimits, AcceptsAndReadsAValidInMemoryImage) {
    hdf5::File file = hdf5::File::create_in_memory("built.h5");
    io::write_checkpoint_header(file, model());
    io::TensorInfo tensor;
    tensor.name = "w";
    tensor.rows = 2;
    tensor.cols = 3;
    tensor.layer = 0;
    tensor.kind = "attn_q";
    const std::vector<float> values{1, 2, 3, 4, 5, 6};
    hdf5::Handle dataset = io::create_weight_dataset(file, tensor);
    hdf5::check(H5Dwrite(dataset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "H5Dwrite");
    dataset = hdf5::Handle();
    const io::Checkpoint checkpoint = io::Checkpoint::from_file(hdf5::File::open_image(file.image(), "image.h5"));
    ASSERT_EQ(checkpoint.tensors().size(), 1u);
    EXPECT_EQ(checkpoint.tensors()[0].n_params(), 6);
    std::vector<float> got(6);
    checkpoint.read_raw_rows(checkpoint.tensors()[0], 0, 2, got.data());
    EXPECT_EQ(got, values);
}

TEST(CheckpointLimits, RefusesDeclaredShapesWhoseBytesOverflow) {
    // 2^31 · 2^31 elements fit int64, but not as 8-byte doubles.
    EXPECT_EQ(validate([](hid_t f) {
                  declare(f, "huge", {hsize_t{1} << 31, hsize_t{1} << 31});
              }),
              "image.h5: dataset /weights/huge has shape 2147483648x2147483648 (as doubles): "
              "4611686018427387904 × 8 overflows (sizes too large)");
    EXPECT_EQ(validate([](hid_t f) {
                  declare(f, "huger", {hsize_t{1} << 32, hsize_t{1} << 32});
              }),
              "image.h5: dataset /weights/huger has shape 4294967296x4294967296: "
              "4294967296 × 4294967296 overflows (sizes too large)");
    EXPECT_EQ(validate([](hid_t f) { declare(f, "long", {hsize_t{1} << 62}); }),
              "image.h5: dataset /weights/long has shape 1x4611686018427387904 (as doubles): "
              "4611686018427387904 × 8 overflows (sizes too large)");
}

TEST(CheckpointLimits, RefusesStringAttributesThatAreNotOneString) {
    // H5Aread fills every element: two strings into one pointer's room overran the stack.
    const std::string message = validate([](hid_t f) {
        hdf5::check(H5Adelete(f, "schema"), "H5Adelete");
        hdf5::Handle type = hdf5::datatype(H5Tcopy(H5T_C_S1), "H5Tcopy");
        hdf5::check(H5Tset_size(type, H5T_VARIABLE), "H5Tset_size");
        const hsize_t two = 2;
        hdf5::Handle space = hdf5::dataspace(H5Screate_simple(1, &two, nullptr), "space");
        hdf5::Handle attribute(H5Acreate2(f, "schema", type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, "H5Acreate2");
        const char* values[2] = {"ctscale.checkpoint", "ctscale.checkpoint"};
        hdf5::check(H5Awrite(attribute, type, values), "H5Awrite");
    });
    EXPECT_EQ(message, "image.h5: attribute 'schema' is not a single string");
}

TEST(CheckpointLimits, RefusesWeightsThatAreNotAGroup) {
    const std::string message = validate([](hid_t f) {
        hdf5::check(H5Ldelete(f, "weights", H5P_DEFAULT), "H5Ldelete");
        hdf5::Handle scalar = hdf5::dataspace(H5Screate(H5S_SCALAR), "space");
        hdf5::Handle dataset(H5Dcreate2(f, "weights", H5T_IEEE_F32LE, scalar, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                             H5Dclose, "H5Dcreate2");
    });
    EXPECT_EQ(message, "image.h5: /weights is not a group");
}
