// The chip image: damaged files (truncations, flipped bits, wrong magic and
// version, huge lengths and counts, malformed sections) must be refused
// with an image_error that says what is wrong.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <engram/isa/chip_image.hpp>

#include "image_bytes_helpers.hpp"
#include "image_fixtures.hpp"

namespace {


namespace isa = engram::isa;
using isa::image_error;
using problem = isa::image_error::problem;
using isa::fixtures::bytes;
using isa::fixtures::contains;
using isa::fixtures::fix_checksum;
using isa::fixtures::get_u64;
using isa::fixtures::put_u32;
using isa::fixtures::put_u64;
using isa::fixtures::sections;

// The image_error that deserializing `data` raises (fails the test if none).
std::optional<image_error> deserialize_error(const bytes& data) {
  try {
    (void)isa::deserialize_image(data, "test.engram");
  } catch (const image_error& e) {
    return e;
  }
  ADD_FAILURE() << "deserialize_image accepted the bytes";
  return std::nullopt;
}

// Offset of the first occurrence of `needle`'s 8 little-endian bytes.
std::size_t find_u64(const bytes& b, std::uint64_t needle) {
  for (std::size_t at = isa::image_header_size; at + 8 <= b.size(); ++at) {
    if (get_u64(b, at) == needle) {
      return at;
    }
  }
  ADD_FAILURE() << "pattern not found";
  return 0;
}

// --- Damaged files ------------------------------------------------------------

TEST(chip_image, every_truncation_is_refused) {
  const bytes whole = isa::serialize_image(isa::fixtures::example_image());
  for (std::size_t n = 0; n < whole.size(); ++n) {
    const bytes prefix(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n));
    const auto e = deserialize_error(prefix);
    ASSERT_TRUE(e) << n;
    EXPECT_EQ(e->kind, n == 0 ? problem::not_an_image : problem::truncated) << "prefix of " << n << " bytes";
    EXPECT_EQ(e->source, "test.engram");
    ASSERT_TRUE(e->offset) << n;
    EXPECT_LE(*e->offset, n);
  }
  const auto e = deserialize_error(bytes(whole.begin(), whole.end() - 1));
  ASSERT_TRUE(e);
  EXPECT_TRUE(contains(e->reason, "announces")) << e->reason;
}

TEST(chip_image, every_flipped_payload_bit_is_a_checksum_mismatch) {
  const bytes whole = isa::serialize_image(isa::fixtures::example_image());
  for (std::size_t at = isa::image_header_size; at < whole.size(); ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      bytes damaged = whole;
      damaged[at] ^= static_cast<std::uint8_t>(1u << bit);
      const auto e = deserialize_error(damaged);
      ASSERT_TRUE(e);
      ASSERT_EQ(e->kind, problem::checksum_mismatch) << "byte " << at << " bit " << bit << ": " << e->what();
    }
  }
  bytes damaged = whole;
  damaged[24] ^= 1;  // the stored checksum itself
  EXPECT_EQ(deserialize_error(damaged)->kind, problem::checksum_mismatch);
}

TEST(chip_image, wrong_magic_and_version_say_what_they_are) {
  const bytes whole = isa::serialize_image(isa::fixtures::minimal_image());
  bytes b = whole;
  b[0] = 'P';
  auto e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::not_an_image);
  EXPECT_EQ(e->offset, 0u);
  EXPECT_TRUE(contains(e->reason, "not an Engram image")) << e->reason;
  EXPECT_TRUE(contains(e->what(), "test.engram")) << e->what();

  e = deserialize_error(bytes{'{', '"', 'n'});
  EXPECT_EQ(e->kind, problem::not_an_image);

  b = whole;
  put_u32(b, 8, 1);  // the layout before indexed axons
  e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::unsupported_version);
  EXPECT_EQ(e->offset, 8u);
  EXPECT_TRUE(contains(e->reason, "version 1")) << e->reason;
  EXPECT_TRUE(contains(e->reason, "reads version 2")) << e->reason;

  b = whole;
  put_u32(b, 12, 7);
  EXPECT_EQ(deserialize_error(b)->kind, problem::bad_value);

  b = whole;
  b.push_back(0);
  e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::trailing_bytes);
  EXPECT_TRUE(contains(e->reason, "1 bytes follow")) << e->reason;
}

TEST(chip_image, huge_lengths_are_refused_before_allocating) {
  const bytes whole = isa::serialize_image(isa::fixtures::example_image());
  const auto secs = sections(whole);

  // The header's payload length.
  bytes b = whole;
  put_u64(b, 16, ~std::uint64_t{0});
  auto e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::truncated);
  EXPECT_EQ(e->offset, 16u);

  // A section length.
  b = whole;
  put_u64(b, secs[0].offset + 4, std::uint64_t{1} << 62);
  fix_checksum(b);
  e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::bad_length);
  EXPECT_EQ(e->offset, secs[0].offset + 4);
  EXPECT_TRUE(contains(e->reason, "section NETW claims")) << e->reason;

  // Counts of populations, of routers, of a core's neurons, and a name length.
  for (const auto& [section, at] : {std::pair(2, std::size_t{0}), std::pair(5, std::size_t{0}), std::pair(6, std::size_t{4}),
                                    std::pair(0, std::size_t{0})}) {
    b = whole;
    put_u32(b, secs[static_cast<std::size_t>(section)].content + at, 0xFFFFFFFFu);
    fix_checksum(b);
    e = deserialize_error(b);
    EXPECT_EQ(e->kind, problem::bad_length) << e->what();
    EXPECT_EQ(e->section, secs[static_cast<std::size_t>(section)].tag);
    EXPECT_TRUE(contains(e->reason, "count 4294967295")) << e->reason;
  }
}

TEST(chip_image, malformed_sections_are_refused) {
  const bytes whole = isa::serialize_image(isa::fixtures::example_image());
  const auto secs = sections(whole);

  // A wrong tag.
  bytes b = whole;
  b[secs[1].offset] = 'X';
  fix_checksum(b);
  auto e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::bad_value);
  EXPECT_TRUE(contains(e->reason, "expected section CHIP")) << e->reason;

  // A section longer than its content: unread bytes.
  b = whole;
  b.insert(b.begin() + static_cast<std::ptrdiff_t>(secs[0].content + secs[0].length), 0);
  put_u64(b, secs[0].offset + 4, secs[0].length + 1);
  put_u64(b, 16, b.size() - isa::image_header_size);
  fix_checksum(b);
  e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::bad_length);
  EXPECT_EQ(e->section, "NETW");
  EXPECT_TRUE(contains(e->reason, "1 unread bytes")) << e->reason;

  // A neuron kind that is none (core 0's first kind byte).
  b = whole;
  b[secs[6].content + 8] = 7;
  fix_checksum(b);
  e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::bad_value);
  EXPECT_EQ(e->section, "CORE");
  EXPECT_EQ(e->offset, secs[6].content + 8);

  // has_inter_chip must be 0 or 1: it is the CHIP section's byte after the
  // name, 14 u32 figures and 17 doubles.
  b = whole;
  b[secs[1].content + 4 + 4 + 14 * 4 + 17 * 8] = 2;
  fix_checksum(b);
  e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::bad_value);
  EXPECT_TRUE(contains(e->reason, "has_inter_chip")) << e->reason;

  // Unused bits of a learning term, then an operand that is no learn_operand.
  const isa::chip_image image = isa::fixtures::example_image();
  const std::uint64_t term = isa::pack(image.cores[1].microcode[0])[0];
  const std::size_t term_at = find_u64(whole, term);
  b = whole;
  put_u64(b, term_at, term | std::uint64_t{1} << 60);
  fix_checksum(b);
  e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::bad_value);
  EXPECT_EQ(e->offset, term_at);
  EXPECT_TRUE(contains(e->reason, "unused bits")) << e->reason;

  b = whole;
  put_u64(b, term_at, (term & ~(std::uint64_t{0xF} << 8)) | std::uint64_t{13} << 8);  // op0 = 13
  fix_checksum(b);
  e = deserialize_error(b);
  EXPECT_EQ(e->kind, problem::bad_value);
  EXPECT_TRUE(contains(e->reason, "learn_operand")) << e->reason;

  // A decodable image that breaks an invariant: validate_image's error, no offset.
  isa::chip_image bad = image;
  bad.cores[1].rules[0].epoch = 0;
  e = deserialize_error(isa::serialize_image(bad));
  EXPECT_EQ(e->kind, problem::invariant);
  EXPECT_EQ(e->source, "test.engram");
  EXPECT_FALSE(e->offset);
  EXPECT_EQ(e->core, 1u);
}

}  // namespace
