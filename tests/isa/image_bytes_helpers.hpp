// Byte-level helpers for the chip image tests (test_chip_image.cpp,
// test_image_corruption.cpp, test_image_validation.cpp): little-endian
// fields, the header's checksum, the list of sections.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <engram/isa/chip_image.hpp>

namespace engram::isa::fixtures {

using bytes = std::vector<std::uint8_t>;

inline void put_u32(bytes& b, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) {
    b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
}
inline void put_u64(bytes& b, std::size_t at, std::uint64_t v) {
  for (std::size_t i = 0; i < 8; ++i) {
    b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
}
inline std::uint64_t get_u64(const bytes& b, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    v |= std::uint64_t{b[at + i]} << (8 * i);
  }
  return v;
}

// Recomputes the header's checksum after a test edits the payload.
inline void fix_checksum(bytes& b) {
  put_u32(b, 24, crc32(std::span(b).subspan(image_header_size)));
}

struct section_at {
  std::string tag;
  std::size_t offset;   // of the tag
  std::size_t content;  // of the first content byte
  std::uint64_t length;
};

inline std::vector<section_at> sections(const bytes& b) {
  std::vector<section_at> out;
  for (std::size_t at = image_header_size; at < b.size();) {
    section_at s{std::string(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + 4)),
                 at, at + 12, get_u64(b, at + 4)};
    out.push_back(s);
    at = s.content + static_cast<std::size_t>(s.length);
  }
  return out;
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace engram::isa::fixtures
