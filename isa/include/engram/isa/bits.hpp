// Engram ISA: the hand-written half of the format API.
//
// The generated header <engram/isa/formats.hpp> (from isa/td/engram.td)
// describes every format with the types below and packs and unpacks through
// the helpers here. Include formats.hpp, not this file.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace engram::isa {

/// One field of a format: where it lies and which values pack() accepts.
struct field_info {
  std::string_view name;
  unsigned lsb;
  unsigned width;
  bool is_signed;
  std::int64_t min;  ///< for an enum field: the smallest enumerator
  std::int64_t max;  ///< for an enum field: the largest enumerator
  std::string_view doc;
  std::string_view enum_type;  ///< the enum an enum field holds; empty otherwise

  constexpr unsigned msb() const noexcept { return lsb + width - 1; }
};

/// One format: its width in bits and its fields, LSB first.
struct format_info {
  std::string_view name;
  unsigned width;
  std::span<const field_info> fields;
  std::string_view doc;

  /// The field called `field_name`, or nullptr.
  constexpr const field_info* find(std::string_view field_name) const noexcept {
    for (const field_info& f : fields) {
      if (f.name == field_name) {
        return &f;
      }
    }
    return nullptr;
  }
};

/// One value of an ISA enum: enumerator, its name, its mnemonic, its doc.
template <class E>
struct enum_value_info {
  E value;
  std::string_view name;
  std::string_view mnemonic;
  std::string_view doc;
};

/// Specialized for every format struct in formats.hpp: `info` (the
/// format_info), `values_type`, `unpack(words)` and `from_values(values)`.
template <class T>
struct format_traits;

/// Specialized for every ISA enum in formats.hpp: `name`, `width`, `values`
/// and `parse(mnemonic)`.
template <class E>
struct enum_traits;

/// pack() was given a value its field cannot hold. The compiler validates
/// every value before it packs, so this is an internal error (a bug).
class field_out_of_range : public std::logic_error {
 public:
  field_out_of_range(std::string_view format_name, const field_info& info, std::int64_t bad_value);

  std::string format;  ///< e.g. "synapse_word"
  std::string field;   ///< e.g. "weight"
  std::int64_t value;  ///< the value that did not fit
  std::int64_t min;    ///< the field's range
  std::int64_t max;
};

namespace bits {

/// The low `width` bits set (width 0..64).
constexpr std::uint64_t mask(unsigned width) noexcept {
  return width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
}

/// The low `width` bits of `raw` read as two's complement (width 1..64).
constexpr std::int64_t sign_extend(std::uint64_t raw, unsigned width) noexcept {
  if (width >= 64) {
    return static_cast<std::int64_t>(raw);
  }
  const std::uint64_t sign = std::uint64_t{1} << (width - 1);
  return static_cast<std::int64_t>(((raw & mask(width)) ^ sign) - sign);
}

/// Writes the low `width` bits of `value` at bit `lsb` of `words` (bit i of
/// the format is bit i % 64 of words[i / 64]); a field may span two words.
/// Needs lsb + width <= 64 * N and width <= 64.
template <std::size_t N>
constexpr void insert(std::array<std::uint64_t, N>& words, unsigned lsb, unsigned width,
                      std::uint64_t value) noexcept {
  const unsigned word = lsb / 64;
  const unsigned shift = lsb % 64;
  const std::uint64_t v = value & mask(width);
  words[word] = (words[word] & ~(mask(width) << shift)) | (v << shift);
  if (shift + width > 64 && word + 1 < N) {
    const unsigned high = shift + width - 64;
    words[word + 1] = (words[word + 1] & ~mask(high)) | (v >> (64 - shift));
  }
}

/// The `width` bits at bit `lsb` of `words`, zero-extended.
template <std::size_t N>
constexpr std::uint64_t extract(const std::array<std::uint64_t, N>& words, unsigned lsb,
                                unsigned width) noexcept {
  const unsigned word = lsb / 64;
  const unsigned shift = lsb % 64;
  std::uint64_t v = words[word] >> shift;
  if (shift + width > 64 && word + 1 < N) {
    v |= words[word + 1] << (64 - shift);
  }
  return v & mask(width);
}

}  // namespace bits

/// What the generated pack/unpack/to_string functions are made of.
namespace detail {

/// Range-checks `value` against field `index` of `format` and writes it.
template <std::size_t N, class T>
void put_field(std::array<std::uint64_t, N>& words, const format_info& format, std::size_t index,
               T value) {
  const field_info& field = format.fields[index];
  std::int64_t v = 0;
  bool ok = false;
  if constexpr (std::is_enum_v<T>) {
    v = static_cast<std::int64_t>(static_cast<std::underlying_type_t<T>>(value));
    ok = is_valid(value);  // found by argument-dependent lookup
  } else {
    v = static_cast<std::int64_t>(value);
    ok = v >= field.min && v <= field.max;
    if constexpr (std::is_unsigned_v<T> && sizeof(T) == sizeof(std::int64_t)) {
      ok = ok && value <= static_cast<T>(std::numeric_limits<std::int64_t>::max());
    }
  }
  if (!ok) {
    throw field_out_of_range(format.name, field, v);
  }
  bits::insert(words, field.lsb, field.width, static_cast<std::uint64_t>(v));
}

/// Reads `field` from `words` as a T (sign-extending signed fields).
template <class T, std::size_t N>
constexpr T get_field(const std::array<std::uint64_t, N>& words, const field_info& field) noexcept {
  const std::uint64_t raw = bits::extract(words, field.lsb, field.width);
  if constexpr (std::is_enum_v<T>) {
    return static_cast<T>(raw);
  } else {
    return field.is_signed ? static_cast<T>(bits::sign_extend(raw, field.width))
                           : static_cast<T>(raw);
  }
}

template <class E, std::size_t N>
constexpr std::string_view mnemonic_of(const std::array<enum_value_info<E>, N>& values,
                                       E value) noexcept {
  for (const auto& v : values) {
    if (v.value == value) {
      return v.mnemonic;
    }
  }
  return {};
}

template <class E, std::size_t N>
constexpr bool is_listed(const std::array<enum_value_info<E>, N>& values, E value) noexcept {
  for (const auto& v : values) {
    if (v.value == value) {
      return true;
    }
  }
  return false;
}

template <class E, std::size_t N>
constexpr std::optional<E> parse_mnemonic(const std::array<enum_value_info<E>, N>& values,
                                          std::string_view mnemonic) noexcept {
  for (const auto& v : values) {
    if (v.mnemonic == mnemonic) {
      return v.value;
    }
  }
  return std::nullopt;
}

}  // namespace detail

}  // namespace engram::isa
