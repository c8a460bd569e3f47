// Where a model's bytes live. Files are memory-mapped read-only, so weights
// are used in place and shared with the page cache; bytes handed over by a
// caller are copied once into 64-byte aligned memory, since the caller may
// reuse or change their array after loading.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "edgeinfer/status.h"

namespace edgeinfer {

struct ModelBytes {
  const uint8_t* data = nullptr;
  size_t size = 0;
  std::shared_ptr<const void> owner;  // keeps `data` valid
  bool mapped = false;                 // a read-only private mapping of a file
};

Status MapModelFile(const std::string& path, ModelBytes* bytes);
Status CopyModelBytes(const uint8_t* data, size_t size, ModelBytes* bytes);

// Once a session has packed the weights it runs from, the model file's pages
// need not stay resident: a mapped file's pages are dropped from this
// process (Linux: madvise MADV_DONTNEED on the private, never-written
// mapping), and whatever still reads them (a reference kernel's weights, a
// bias) faults them back in from the page cache, unchanged. Does nothing for
// bytes copied into memory or on other systems.
void ReleaseResidentPages(const ModelBytes& bytes);

}  // namespace edgeinfer
