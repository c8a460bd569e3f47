// Status: how the core reports failure. The core never throws across its
// boundary; every fallible call returns a Status, and the addon turns a
// non-ok one into an EdgeInferError with the matching stable `code`.
#pragma once

#include <string>
#include <utility>

namespace edgeinfer {

enum class StatusCode {
  kOk = 0,
  kModelFormat,     // E_MODEL_FORMAT: the file is not a valid model
  kUnsupportedOp,   // E_UNSUPPORTED_OP: valid model, operator we cannot run
  kInput,           // E_INPUT: wrong inputs or outputs passed to a run
  kDisposed,        // E_DISPOSED: model used after dispose()
  kIo,              // E_IO: file could not be read
  kBackend,         // E_BACKEND: backend unavailable or failed
  kOption,          // E_OPTION: an invalid load option
  kDynamicShape,    // E_DYNAMIC_SHAPE: an input's shape is symbolic and no `shapes` option fixes it
  kInternal,        // E_INTERNAL: a bug in edgeinfer
};

// The stable string code a JavaScript caller sees ("E_MODEL_FORMAT", ...).
const char* StatusCodeName(StatusCode code);

class Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status ModelFormatError(std::string m) { return Status(StatusCode::kModelFormat, std::move(m)); }
inline Status UnsupportedError(std::string m) { return Status(StatusCode::kUnsupportedOp, std::move(m)); }
inline Status InputError(std::string m) { return Status(StatusCode::kInput, std::move(m)); }
inline Status OptionError(std::string m) { return Status(StatusCode::kOption, std::move(m)); }
inline Status InternalError(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }

#define EI_RETURN_IF_ERROR(expr)            \
  do {                                      \
    ::edgeinfer::Status _ei_status = (expr); \
    if (!_ei_status.ok()) return _ei_status; \
  } while (0)

}  // namespace edgeinfer
