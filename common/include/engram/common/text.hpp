#pragma once

// Small text helpers used by error messages.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace engram {

// Levenshtein distance (insert, delete, substitute; case-sensitive).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to word by edit distance (ignoring case), if it is
// close enough to be a plausible typo; otherwise empty.
std::string closest_match(std::string_view word, std::span<const std::string_view> candidates);

// Shortest decimal text that reads back as the same double ("0.1", "1e-05").
std::string format_number(double value);

// An integer with thousands separators: 1234567 -> "1,234,567".
std::string with_commas(std::uint64_t n);

// A JSON-pointer token escaped per RFC 6901 ("a/b" -> "a~1b").
std::string escape_pointer_token(std::string_view token);

// "a, b or c" from a list.
std::string join_choices(std::span<const std::string_view> choices);

} // namespace engram
