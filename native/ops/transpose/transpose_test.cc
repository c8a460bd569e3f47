#include <numeric>

#include "ops/reshape/op_test_util.h"
#include "ops/transpose/transpose.h"
#include "test/check.h"

namespace edgeinfer {
namespace {

using testing::OpTest;

TransposeAttrs Perm(std::vector<int32_t> perm) {
  TransposeAttrs a;
  a.perm = std::move(perm);
  return a;
}

// Reads element `index` (multi-dimensional) of a row-major array.
int64_t FlatIndex(const Shape& shape, const std::vector<int32_t>& index) {
  int64_t flat = 0;
  for (size_t d = 0; d < shape.size(); ++d) flat = flat * shape[d] + index[d];
  return flat;
}

// Checks a transpose of an iota input against the definition, element by element.
template <typename T>
void CheckTranspose(DType dtype, const Shape& in_shape, const std::vector<int32_t>& perm) {
  OpTest t;
  Shape out_shape(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out_shape[i] = in_shape[perm[i]];
  const int32_t in = t.AddTensor(dtype, in_shape);
  const int32_t out = t.AddTensor(dtype, out_shape);
  t.SetNode(OpType::kTranspose, {in}, {out}, Perm(perm));
  std::vector<T> values(static_cast<size_t>(NumElements(in_shape)));
  std::iota(values.begin(), values.end(), T(1));
  t.Set<T>(in, values);
  CHECK(t.Prepare().ok());
  t.Run();
  const std::vector<T> result = t.Get<T>(out);
  std::vector<int32_t> out_index(out_shape.size(), 0), in_index(in_shape.size());
  for (size_t flat = 0; flat < result.size(); ++flat) {
    for (size_t i = 0; i < perm.size(); ++i) in_index[perm[i]] = out_index[i];
    CHECK(result[flat] == values[FlatIndex(in_shape, in_index)]);
    for (int d = static_cast<int>(out_shape.size()) - 1; d >= 0; --d) {
      if (++out_index[d] < out_shape[d]) break;
      out_index[d] = 0;
    }
  }
}

TEST(TransposeNchwToNhwc) {
  OpTest t;
  const int32_t in = t.AddTensor(DType::kInt8, {1, 2, 2, 3}, 0.5f, 1);
  const int32_t out = t.AddTensor(DType::kInt8, {1, 2, 3, 2}, 0.5f, 1);
  t.SetNode(OpType::kTranspose, {in}, {out}, Perm({0, 1, 3, 2}));
  t.Set<int8_t>(in, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  CHECK(t.Prepare().ok());
  t.Run();
  CHECK(t.Get<int8_t>(out) == std::vector<int8_t>({1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12}));
}

TEST(TransposeEveryRankAndElementSize) {
  CheckTranspose<uint8_t>(DType::kUInt8, {3, 5}, {1, 0});
  CheckTranspose<int8_t>(DType::kInt8, {1, 3, 224, 5}, {0, 2, 3, 1});
  CheckTranspose<int16_t>(DType::kInt16, {2, 3, 4}, {2, 0, 1});
  CheckTranspose<float>(DType::kFloat32, {2, 3, 1, 5, 2}, {4, 2, 0, 3, 1});
  CheckTranspose<int64_t>(DType::kInt64, {2, 3, 2, 1, 3, 2}, {5, 4, 3, 2, 1, 0});
  CheckTranspose<int32_t>(DType::kInt32, {7}, {0});
  CheckTranspose<int32_t>(DType::kInt32, {}, {});
}

// The batched-2D fast path against the general strided walk, on shapes
// with odd sizes, dimensions of size 1 anywhere and every element size.
template <typename T>
void CheckFastPath(const Shape& shape, const std::vector<int32_t>& perm, bool expect_fast) {
  const int rank = static_cast<int>(shape.size());
  Batched2D b2d;
  const bool fast = AsBatched2D(shape, perm, &b2d);
  CHECK(fast == expect_fast);
  if (!fast) return;
  TransposeParams params;
  int64_t stride[kMaxTransposeRank];
  int64_t s = 1;
  for (int d = rank - 1; d >= 0; --d) {
    stride[d] = s;
    s *= shape[d];
  }
  const int lead = kMaxTransposeRank - rank;
  for (int i = 0; i < kMaxTransposeRank; ++i) {
    params.output_shape[i] = i < lead ? 1 : shape[perm[i - lead]];
    params.input_stride[i] = i < lead ? 0 : stride[perm[i - lead]];
  }
  std::vector<T> in(static_cast<size_t>(NumElements(shape)));
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<T>(i * 2654435761u + 7);
  std::vector<T> general(in.size(), T(0)), batched(in.size(), T(1));
  Transpose(params, in.data(), general.data());
  TransposeBatched2D(b2d, in.data(), batched.data());
  CHECK(general == batched);
}

template <typename T>
void CheckFastPaths() {
  CheckFastPath<T>({1, 3, 224, 224}, {0, 2, 3, 1}, true);  // NCHW -> NHWC, MobileNet's input
  CheckFastPath<T>({1, 3, 7, 5}, {0, 2, 3, 1}, true);
  CheckFastPath<T>({2, 3, 5, 9}, {0, 2, 3, 1}, true);
  CheckFastPath<T>({3, 1, 5, 9}, {0, 2, 3, 1}, true);
  CheckFastPath<T>({2, 1, 5, 9}, {1, 2, 3, 0}, true);
  for (int32_t c : {1, 2, 4, 5, 17, 33}) CheckFastPath<T>({2, c, 3, 7}, {0, 2, 3, 1}, true);
  CheckFastPath<T>({2, 7, 3, 17}, {0, 3, 1, 2}, true);      // NHWC -> NCHW
  CheckFastPath<T>({37, 45}, {1, 0}, true);                 // tiles with partial edges
  CheckFastPath<T>({2, 3, 4}, {0, 1, 2}, true);             // a copy
  CheckFastPath<T>({1, 1, 6}, {2, 1, 0}, true);             // a copy once the 1s go
  CheckFastPath<T>({5, 1, 1}, {1, 2, 0}, true);
  CheckFastPath<T>({}, {}, true);
  CheckFastPath<T>({2, 0, 3}, {2, 0, 1}, true);             // empty
  CheckFastPath<T>({2, 3, 4}, {2, 1, 0}, false);            // not a batched 2D transpose
  CheckFastPath<T>({2, 3, 4, 5}, {0, 3, 2, 1}, false);
}

TEST(TransposeBatched2DMatchesGeneral) {
  CheckFastPaths<uint8_t>();
  CheckFastPaths<uint16_t>();
  CheckFastPaths<uint32_t>();
  CheckFastPaths<uint64_t>();
}

TEST(TransposeRejectsMalformed) {
  OpTest t;
  const int32_t in = t.AddTensor(DType::kInt8, {2, 3}, 0.5f, 0);
  const int32_t out = t.AddTensor(DType::kInt8, {3, 2}, 0.5f, 0);
  t.SetNode(OpType::kTranspose, {in}, {out}, Perm({0, 0}));
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);
  t.SetNode(OpType::kTranspose, {in}, {out}, Perm({0, 1}));
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);
  t.SetNode(OpType::kTranspose, {in}, {out}, Perm({1, 2}));
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);
  t.SetNode(OpType::kTranspose, {in}, {out}, Perm({1}));
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);
  const int32_t big_in = t.AddTensor(DType::kInt8, {1, 1, 1, 1, 1, 1, 1});
  const int32_t big_out = t.AddTensor(DType::kInt8, {1, 1, 1, 1, 1, 1, 1});
  t.SetNode(OpType::kTranspose, {big_in}, {big_out}, Perm({0, 1, 2, 3, 4, 5, 6}));
  CHECK(t.Prepare().code() == StatusCode::kUnsupportedOp);
}

}  // namespace
}  // namespace edgeinfer
