// The generated ISA enums: mnemonics, parsing and encodings.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include <engram/isa/formats.hpp>

namespace {

namespace isa = engram::isa;

template <class Tuple>
struct as_gtest_types;
template <class... Ts>
struct as_gtest_types<std::tuple<Ts...>> {
  using type = ::testing::Types<Ts...>;
};

template <class E>
class isa_enum : public ::testing::Test {};

using enum_types = as_gtest_types<isa::all_enum_types>::type;
TYPED_TEST_SUITE(isa_enum, enum_types);

TYPED_TEST(isa_enum, to_string_and_parse_round_trip) {
  using traits = isa::enum_traits<TypeParam>;
  ASSERT_FALSE(traits::values.empty());
  for (const auto& v : traits::values) {
    SCOPED_TRACE(std::string(v.name));
    EXPECT_EQ(to_string(v.value), v.mnemonic);
    EXPECT_FALSE(v.mnemonic.empty());
    EXPECT_FALSE(v.doc.empty());
    EXPECT_TRUE(is_valid(v.value));
    const std::optional<TypeParam> parsed = traits::parse(v.mnemonic);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, v.value);
  }
}

TYPED_TEST(isa_enum, values_fit_the_width_and_are_unique) {
  using traits = isa::enum_traits<TypeParam>;
  std::set<std::int64_t> values;
  std::set<std::string_view> names;
  std::set<std::string_view> mnemonics;
  for (const auto& v : traits::values) {
    const auto raw = static_cast<std::int64_t>(v.value);
    EXPECT_LT(raw, std::int64_t{1} << traits::width) << v.name;
    EXPECT_TRUE(values.insert(raw).second) << v.name;
    EXPECT_TRUE(names.insert(v.name).second) << v.name;
    EXPECT_TRUE(mnemonics.insert(v.mnemonic).second) << v.mnemonic;
  }
}

TYPED_TEST(isa_enum, parse_rejects_unknown_mnemonics) {
  using traits = isa::enum_traits<TypeParam>;
  for (const std::string_view bad : {"", " ", "bogus", "none_", "EXC", "x9"}) {
    bool is_a_mnemonic = false;
    for (const auto& v : traits::values) {
      is_a_mnemonic = is_a_mnemonic || v.mnemonic == bad;
    }
    if (!is_a_mnemonic) {
      EXPECT_FALSE(traits::parse(bad).has_value()) << "'" << bad << "'";
    }
  }
  for (const auto& v : traits::values) {
    const std::string padded = " " + std::string(v.mnemonic);
    EXPECT_FALSE(traits::parse(padded).has_value()) << "'" << padded << "'";
    EXPECT_FALSE(traits::parse(std::string(v.mnemonic) + "x").has_value()) << v.mnemonic;
  }
}

TYPED_TEST(isa_enum, values_outside_the_enum_are_invalid) {
  using traits = isa::enum_traits<TypeParam>;
  const auto beyond = static_cast<TypeParam>(traits::values.size());  // the values are 0..n-1
  EXPECT_FALSE(is_valid(beyond));
  EXPECT_EQ(to_string(beyond), "");
}

// The mnemonics are user-facing (rule strings, reports, the CLI): pin them.
TEST(isa_enums, mnemonics) {
  const auto mnemonics = [](const auto& values) {
    std::vector<std::string_view> out;
    for (const auto& v : values) {
      out.push_back(v.mnemonic);
    }
    return out;
  };
  using list = std::vector<std::string_view>;
  EXPECT_EQ(mnemonics(isa::receptor_kind_values), (list{"exc", "inh"}));
  EXPECT_EQ(mnemonics(isa::learn_target_values), (list{"dw", "dt"}));
  EXPECT_EQ(mnemonics(isa::learn_operand_values),
            (list{"none", "x0", "y0", "x1", "x2", "y1", "y2", "y3", "r0", "r1", "w", "t", "c"}));
  EXPECT_EQ(mnemonics(isa::route_port_values),
            (list{"east", "west", "north", "south", "local", "offchip"}));
}

TEST(isa_enums, encodings) {
  EXPECT_EQ(static_cast<int>(isa::receptor_kind::inhibitory), 1);
  EXPECT_EQ(static_cast<int>(isa::learn_target::tag), 1);
  EXPECT_EQ(static_cast<int>(isa::learn_operand::none), 0);
  EXPECT_EQ(static_cast<int>(isa::learn_operand::r0), 8);
  EXPECT_EQ(static_cast<int>(isa::learn_operand::c), 12);
  EXPECT_EQ(static_cast<int>(isa::route_port::offchip), 5);
  EXPECT_EQ(isa::parse_learn_operand("w"), isa::learn_operand::w);
  EXPECT_EQ(isa::parse_route_port("local"), isa::route_port::local);
  EXPECT_EQ(isa::to_string(isa::learn_target::weight), "dw");
  static_assert(isa::parse_receptor_kind("inh") == isa::receptor_kind::inhibitory);
  static_assert(isa::to_string(isa::receptor_kind::excitatory) == "exc");
}

}  // namespace
