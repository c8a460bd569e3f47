#include "edgeinfer/model_bytes.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#if defined(_WIN32)
#include <cstdio>
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace edgeinfer {
namespace {

Status IoError(const std::string& path, const std::string& what) {
  return Status(StatusCode::kIo, "cannot read model file '" + path + "': " + what);
}

std::shared_ptr<uint8_t> AllocateAligned(size_t size) {
  void* p = nullptr;
#if defined(_WIN32)
  p = _aligned_malloc(size ? size : 1, 64);
  if (!p) return nullptr;
  return std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [](uint8_t* q) { _aligned_free(q); });
#else
  if (posix_memalign(&p, 64, size ? size : 1) != 0) return nullptr;
  return std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [](uint8_t* q) { std::free(q); });
#endif
}

}  // namespace

Status CopyModelBytes(const uint8_t* data, size_t size, ModelBytes* bytes) {
  auto buffer = AllocateAligned(size);
  if (!buffer) return Status(StatusCode::kInternal, "cannot allocate " + std::to_string(size) + " bytes for the model");
  if (size) std::memcpy(buffer.get(), data, size);
  bytes->data = buffer.get();
  bytes->size = size;
  bytes->owner = std::move(buffer);
  return Status::Ok();
}

#if defined(_WIN32)
Status MapModelFile(const std::string& path, ModelBytes* bytes) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return IoError(path, std::strerror(errno));
  std::fseek(f, 0, SEEK_END);
  const long size = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  auto buffer = AllocateAligned(static_cast<size_t>(size));
  const bool ok = buffer && std::fread(buffer.get(), 1, size, f) == static_cast<size_t>(size);
  std::fclose(f);
  if (!ok) return IoError(path, "read failed");
  bytes->data = buffer.get();
  bytes->size = static_cast<size_t>(size);
  bytes->owner = std::move(buffer);
  return Status::Ok();
}
#else
Status MapModelFile(const std::string& path, ModelBytes* bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError(path, std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return IoError(path, std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return IoError(path, "not a regular file");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return CopyModelBytes(nullptr, 0, bytes);
  }
  void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  ::close(fd);
  if (mapped == MAP_FAILED) return IoError(path, std::strerror(err));
  bytes->data = static_cast<const uint8_t*>(mapped);
  bytes->size = size;
  bytes->owner = std::shared_ptr<const void>(mapped, [size](const void* p) { ::munmap(const_cast<void*>(p), size); });
  bytes->mapped = true;
  return Status::Ok();
}
#endif

void ReleaseResidentPages(const ModelBytes& bytes) {
#if defined(__linux__)
  if (!bytes.mapped || bytes.data == nullptr || bytes.size == 0) return;
  ::madvise(const_cast<uint8_t*>(bytes.data), bytes.size, MADV_DONTNEED);
#else
  (void)bytes;
#endif
}

}  // namespace edgeinfer
