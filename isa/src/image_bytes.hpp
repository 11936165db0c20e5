#pragma once

// Private pieces of the chip image's bytes, shared by image_write.cpp
// (serialization) and image_read.cpp (deserialization): the section tags and
// the size of a packed record. docs/chip-image.md has the layout.

#include <cstddef>
#include <string_view>

namespace engram::isa::detail {

// Section tags, in the order they appear (CORE repeats, once per core).
inline constexpr std::string_view tag_network = "NETW";
inline constexpr std::string_view tag_chip = "CHIP";
inline constexpr std::string_view tag_populations = "POPS";
inline constexpr std::string_view tag_projections = "PROJ";
inline constexpr std::string_view tag_slices = "SLIC";
inline constexpr std::string_view tag_routers = "ROUT";
inline constexpr std::string_view tag_core = "CORE";

// Bytes a packed record of T occupies: its width rounded up to whole bytes.
template <class T>
inline constexpr std::size_t packed_bytes = (T::width + 7) / 8;

}  // namespace engram::isa::detail
