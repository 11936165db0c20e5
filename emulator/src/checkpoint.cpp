#include <engram/emulator/checkpoint.hpp>

#include <bit>

#include <engram/isa/chip_image.hpp>

namespace engram::emulator {

static_assert(std::endian::native == std::endian::little,
              "checkpoints are written in the host's byte order, which must be little-endian");

namespace {

std::string describe(const std::string& source, std::uint64_t offset, const std::string& reason) {
  return source + ": byte " + std::to_string(offset) + ": " + reason;
}

void put_le(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
}

std::uint64_t get_le(std::span<const std::uint8_t> in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v |= std::uint64_t{in[at + static_cast<std::size_t>(i)]} << (8 * i);
  }
  return v;
}

}  // namespace

checkpoint_error::checkpoint_error(std::string source_, std::uint64_t offset_, std::string reason_)
    : user_error(describe(source_, offset_, reason_)),
      source(std::move(source_)),
      offset(offset_),
      reason(std::move(reason_)) {}

void state_writer::put(const void* p, std::size_t n) {
  const auto* b = static_cast<const std::uint8_t*>(p);
  bytes_.insert(bytes_.end(), b, b + n);
}

void state_writer::section(std::string_view tag, std::uint32_t id) {
  std::uint32_t t = 0;
  for (std::size_t i = 0; i < 4 && i < tag.size(); ++i) {
    t |= std::uint32_t{static_cast<std::uint8_t>(tag[i])} << (8 * i);
  }
  u32(t);
  u32(id);
}

void state_reader::get(void* p, std::size_t n) {
  if (n > remaining()) {
    fail("the checkpoint ends " + std::to_string(n - remaining()) + " bytes early");
  }
  if (n != 0) {
    std::memcpy(p, bytes_.data() + at_, n);
  }
  at_ += n;
}

std::uint8_t state_reader::u8() {
  std::uint8_t v = 0;
  get(&v, 1);
  return v;
}
std::uint32_t state_reader::u32() {
  std::uint32_t v = 0;
  get(&v, 4);
  return v;
}
std::int32_t state_reader::i32() {
  std::int32_t v = 0;
  get(&v, 4);
  return v;
}
std::uint64_t state_reader::u64() {
  std::uint64_t v = 0;
  get(&v, 8);
  return v;
}

void state_reader::section(std::string_view tag, std::uint32_t id) {
  std::uint32_t t = 0;
  for (std::size_t i = 0; i < 4 && i < tag.size(); ++i) {
    t |= std::uint32_t{static_cast<std::uint8_t>(tag[i])} << (8 * i);
  }
  const std::uint32_t got_tag = u32();
  const std::uint32_t got_id = u32();
  if (got_tag != t || got_id != id) {
    fail("expected section \"" + std::string(tag) + "\" " + std::to_string(id));
  }
}

void state_reader::expect_u32(std::string_view what, std::uint32_t expected) {
  const std::uint32_t got = u32();
  if (got != expected) {
    fail(std::string(what) + " is " + std::to_string(got) + " in the checkpoint, " + std::to_string(expected) +
         " in the image");
  }
}

void state_reader::fail(const std::string& reason) const {
  throw checkpoint_error(source_, base_ + at_, reason);
}

std::vector<std::uint8_t> frame_checkpoint(const std::vector<std::uint8_t>& payload,
                                           std::uint32_t image_fingerprint) {
  std::vector<std::uint8_t> out;
  out.reserve(checkpoint_header_size + payload.size());
  for (char ch : checkpoint_magic) {
    out.push_back(static_cast<std::uint8_t>(ch));
  }
  put_le(out, checkpoint_format_version, 4);
  put_le(out, image_fingerprint, 4);
  put_le(out, payload.size(), 8);
  put_le(out, isa::crc32(payload), 4);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

std::span<const std::uint8_t> unframe_checkpoint(std::span<const std::uint8_t> in, std::uint32_t image_fingerprint,
                                                 const std::string& source) {
  if (in.size() < checkpoint_magic.size() ||
      std::memcmp(in.data(), checkpoint_magic.data(), checkpoint_magic.size()) != 0) {
    throw checkpoint_error(source, 0, "not an Engram checkpoint (the file does not start with ENGRAMCK)");
  }
  if (in.size() < checkpoint_header_size) {
    throw checkpoint_error(source, in.size(), "truncated: the header needs " +
                                                  std::to_string(checkpoint_header_size) + " bytes");
  }
  const std::uint64_t version = get_le(in, 8, 4);
  if (version != checkpoint_format_version) {
    throw checkpoint_error(source, 8, "checkpoint format version " + std::to_string(version) +
                                          "; this build reads version " +
                                          std::to_string(checkpoint_format_version));
  }
  const std::uint64_t fingerprint = get_le(in, 12, 4);
  const std::uint64_t length = get_le(in, 16, 8);
  const std::uint64_t crc = get_le(in, 24, 4);
  if (length != in.size() - checkpoint_header_size) {
    throw checkpoint_error(source, 16, "the header announces " + std::to_string(length) +
                                           " payload bytes, the file holds " +
                                           std::to_string(in.size() - checkpoint_header_size));
  }
  const std::span<const std::uint8_t> payload = in.subspan(checkpoint_header_size);
  if (isa::crc32(payload) != crc) {
    throw checkpoint_error(source, 24, "checksum mismatch: the checkpoint is corrupt");
  }
  if (fingerprint != image_fingerprint) {
    throw checkpoint_error(source, 12, "the checkpoint was taken from another chip image");
  }
  return payload;
}

}  // namespace engram::emulator
