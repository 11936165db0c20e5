// Checkpoints (docs/run-output.md, "Checkpoints"): the whole dynamic state of
// a simulation in one versioned, CRC-checked file, written atomically. The
// state_writer/state_reader pair is the little-endian byte stream each part
// (core, simulation) saves itself into.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <engram/common/error.hpp>

namespace engram::emulator {

inline constexpr std::string_view checkpoint_magic = "ENGRAMCK";
inline constexpr std::uint32_t checkpoint_format_version = 1;

/// A checkpoint that cannot be used: not a checkpoint, another version,
/// truncated or corrupt, or taken from another image.
class checkpoint_error : public user_error {
 public:
  checkpoint_error(std::string source, std::uint64_t offset, std::string reason);
  std::string source;
  std::uint64_t offset;
  std::string reason;
};

class state_writer {
 public:
  void u8(std::uint8_t v) { bytes_.push_back(v); }
  void u32(std::uint32_t v) { put(&v, 4); }
  void i32(std::int32_t v) { put(&v, 4); }
  void u64(std::uint64_t v) { put(&v, 8); }
  /// A tag and an id that the reader checks: catches a reader out of step.
  void section(std::string_view tag, std::uint32_t id);
  template <class T>
  void array(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    u64(v.size());
    put(v.data(), v.size() * sizeof(T));
  }
  const std::vector<std::uint8_t>& bytes() const noexcept { return bytes_; }
  std::vector<std::uint8_t>& bytes() noexcept { return bytes_; }

 private:
  void put(const void* p, std::size_t n);  // little-endian host assumed (checked at build)
  std::vector<std::uint8_t> bytes_;
};

class state_reader {
 public:
  state_reader(std::span<const std::uint8_t> bytes, std::string source, std::uint64_t base_offset)
      : bytes_(bytes), source_(std::move(source)), base_(base_offset) {}
  std::uint8_t u8();
  std::uint32_t u32();
  std::int32_t i32();
  std::uint64_t u64();
  void section(std::string_view tag, std::uint32_t id);
  /// Reads a u32 and throws unless it equals `expected`.
  void expect_u32(std::string_view what, std::uint32_t expected);
  /// Reads an array written by state_writer::array into `v`, whose size it must have.
  template <class T>
  void array(std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::uint64_t n = u64();
    if (n != v.size()) {
      fail("an array of " + std::to_string(v.size()) + " entries holds " + std::to_string(n));
    }
    get(v.data(), v.size() * sizeof(T));
  }
  /// Reads an array of any length (at most what the remaining bytes can hold).
  template <class T>
  std::vector<T> any_array() {
    const std::uint64_t n = u64();
    if (n > remaining() / sizeof(T)) {
      fail("an array of " + std::to_string(n) + " entries runs past the end");
    }
    std::vector<T> v(n);
    get(v.data(), v.size() * sizeof(T));
    return v;
  }
  std::size_t remaining() const noexcept { return bytes_.size() - at_; }
  [[noreturn]] void fail(const std::string& reason) const;

 private:
  void get(void* p, std::size_t n);
  std::span<const std::uint8_t> bytes_;
  std::string source_;
  std::uint64_t base_;
  std::size_t at_ = 0;
};

/// Wraps a payload in the checkpoint file layout: magic, version, the image
/// fingerprint, payload length, CRC-32 of the payload, payload.
std::vector<std::uint8_t> frame_checkpoint(const std::vector<std::uint8_t>& payload,
                                           std::uint32_t image_fingerprint);
/// Checks the frame (magic, version, length, CRC, fingerprint) and returns
/// the payload's span within `file_bytes`; throws checkpoint_error.
std::span<const std::uint8_t> unframe_checkpoint(std::span<const std::uint8_t> file_bytes,
                                                 std::uint32_t image_fingerprint, const std::string& source);
/// Header bytes before the payload.
inline constexpr std::size_t checkpoint_header_size = 28;

}  // namespace engram::emulator
