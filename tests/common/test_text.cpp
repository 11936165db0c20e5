// Text helpers for messages: edit distance, "did you mean", number formatting,
// JSON-pointer escaping and lists of choices.

#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <engram/common/text.hpp>

namespace {

using namespace engram;

TEST(text, edit_distance_basics) {
    EXPECT_EQ(edit_distance("", ""), 0u);
    EXPECT_EQ(edit_distance("abc", ""), 3u);
    EXPECT_EQ(edit_distance("", "abc"), 3u);
    EXPECT_EQ(edit_distance("same", "same"), 0u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(edit_distance("sitting", "kitten"), 3u);
    EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);
    EXPECT_EQ(edit_distance("size", "sise"), 1u);      // substitution
    EXPECT_EQ(edit_distance("weight", "wieght"), 2u);  // a transposition is two edits
    EXPECT_EQ(edit_distance("tau_m", "tau_mm"), 1u);   // insertion
    EXPECT_EQ(edit_distance("A", "a"), 1u);            // case-sensitive
}

TEST(text, closest_match_finds_typos) {
    const std::vector<std::string_view> keys = {"name", "size", "model", "params", "initial"};
    EXPECT_EQ(closest_match("sise", keys), "size");
    EXPECT_EQ(closest_match("mdel", keys), "model");
    EXPECT_EQ(closest_match("modle", keys), ""); // a transposition is 2 edits, too many for 5 letters
    EXPECT_EQ(closest_match("parms", keys), "params");
    EXPECT_EQ(closest_match("SIZE", keys), "size"); // case is ignored
    EXPECT_EQ(closest_match("size", keys), "size");
}

TEST(text, closest_match_rejects_far_words) {
    const std::vector<std::string_view> keys = {"name", "size", "model"};
    EXPECT_EQ(closest_match("population", keys), "");
    EXPECT_EQ(closest_match("xyz", keys), "");
    EXPECT_EQ(closest_match("anything", std::vector<std::string_view>{}), "");
    // At most a third of the longer word (at least one edit).
    const std::vector<std::string_view> six = {"abcdef"};
    EXPECT_EQ(closest_match("abcdxy", six), "abcdef"); // 2 edits of 6
    EXPECT_EQ(closest_match("abcxyz", six), "");       // 3 edits of 6
    const std::vector<std::string_view> two = {"x0"};
    EXPECT_EQ(closest_match("x1", two), "x0"); // 1 edit is always allowed
}

TEST(text, closest_match_prefers_nearest_then_shared_prefix_then_first) {
    const std::vector<std::string_view> keys = {"tau_plus", "tau_minus", "tau_x"};
    EXPECT_EQ(closest_match("tau_minux", keys), "tau_minus");
    // Equally near: the longer shared prefix wins ("r2" is meant as r0, not x2).
    const std::vector<std::string_view> operands = {"x0", "x2", "r0"};
    EXPECT_EQ(closest_match("r2", operands), "r0");
    // Equally near, no shared prefix: the first candidate.
    const std::vector<std::string_view> tie = {"x0", "y0"};
    EXPECT_EQ(closest_match("z0", tie), "x0");
}

TEST(text, format_number_shortest) {
    EXPECT_EQ(format_number(0.1), "0.1");
    EXPECT_EQ(format_number(1e-05), "1e-05");
    EXPECT_EQ(format_number(100.0), "100");
    EXPECT_EQ(format_number(0.0), "0");
    EXPECT_EQ(format_number(-2.5), "-2.5");
    EXPECT_EQ(format_number(1.99), "1.99");
    EXPECT_EQ(format_number(0.1 + 0.2), "0.30000000000000004");
    EXPECT_EQ(format_number(std::nan("")), "nan");
    EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "inf");
    EXPECT_EQ(format_number(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(text, format_number_round_trips) {
    const double values[] = {1.0 / 3.0, 0.1 + 0.2, 1e300, -1e-300, 5e-324, DBL_MAX, DBL_MIN, 65536.0,
                             0.0162, 3.7, -65.0, 1e21, 123456789.125};
    for (double v: values) {
        const std::string text = format_number(v);
        SCOPED_TRACE(text);
        EXPECT_EQ(std::strtod(text.c_str(), nullptr), v);
        // Shortest: one digit fewer would not read back (for a value with
        // more than one significant digit this is a strict check).
        EXPECT_LE(text.size(), 24u);
    }
}

TEST(text, escape_pointer_token) {
    EXPECT_EQ(escape_pointer_token("plain"), "plain");
    EXPECT_EQ(escape_pointer_token("a/b"), "a~1b");
    EXPECT_EQ(escape_pointer_token("a~b"), "a~0b");
    EXPECT_EQ(escape_pointer_token("~1"), "~01");
    EXPECT_EQ(escape_pointer_token("/core/neurons"), "~1core~1neurons");
    EXPECT_EQ(escape_pointer_token(""), "");
}

TEST(text, join_choices) {
    EXPECT_EQ(join_choices(std::vector<std::string_view>{}), "");
    EXPECT_EQ(join_choices(std::vector<std::string_view>{"a"}), "a");
    EXPECT_EQ(join_choices(std::vector<std::string_view>{"a", "b"}), "a or b");
    EXPECT_EQ(join_choices(std::vector<std::string_view>{"a", "b", "c"}), "a, b or c");
}

} // namespace

TEST(text, with_commas_groups_thousands) {
    EXPECT_EQ(engram::with_commas(0), "0");
    EXPECT_EQ(engram::with_commas(999), "999");
    EXPECT_EQ(engram::with_commas(1000), "1,000");
    EXPECT_EQ(engram::with_commas(320465), "320,465");
    EXPECT_EQ(engram::with_commas(1234567890), "1,234,567,890");
}
