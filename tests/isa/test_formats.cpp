// The generated format API (engram/isa/formats.hpp): every field of every
// format packs, unpacks and range-checks as its field table says.
#include <cstdint>
#include <limits>
#include <random>
#include <string>
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

template <class T>
class isa_format : public ::testing::Test {
 protected:
  using traits = isa::format_traits<T>;
  using values_type = typename traits::values_type;

  static constexpr const isa::format_info& info = traits::info;

  values_type random_values() {
    values_type values{};
    for (std::size_t i = 0; i < values.size(); ++i) {
      values[i] = random_value(i);
    }
    return values;
  }

  std::int64_t random_value(std::size_t field) {
    const isa::field_info& f = info.fields[field];
    return std::uniform_int_distribution<std::int64_t>(f.min, f.max)(rng_);
  }

  // from_values -> pack -> unpack -> to_values.
  static values_type round_trip(const values_type& values) {
    return to_values(traits::unpack(isa::pack(traits::from_values(values))));
  }

  static typename T::packed_type pack_values(const values_type& values) {
    return isa::pack(traits::from_values(values));
  }

  // The values a field must hold: its ends, 0 and -1 where in range.
  static std::vector<std::int64_t> edge_values(const isa::field_info& f) {
    std::vector<std::int64_t> edges{f.min, f.max};
    for (const std::int64_t v : {std::int64_t{0}, std::int64_t{-1}, f.min + 1, f.max - 1}) {
      if (v >= f.min && v <= f.max) {
        edges.push_back(v);
      }
    }
    return edges;
  }

  std::mt19937_64 rng_{0x5eed'1234'abcd'0001};
};

using format_types = as_gtest_types<isa::all_format_types>::type;
// ctest names them isa_format.<test><engram::isa::synapse_word> (the type).
TYPED_TEST_SUITE(isa_format, format_types);

TYPED_TEST(isa_format, field_table_is_consistent) {
  const isa::format_info& format = TestFixture::info;
  EXPECT_EQ(format.width, TypeParam::width);
  EXPECT_EQ(std::tuple_size_v<typename TypeParam::packed_type>, (format.width + 63) / 64);
  EXPECT_FALSE(format.doc.empty());
  ASSERT_FALSE(format.fields.empty());
  unsigned next_lsb = 0;
  for (const isa::field_info& f : format.fields) {
    SCOPED_TRACE(std::string(f.name));
    EXPECT_EQ(f.lsb, next_lsb) << "fields are laid out LSB first, without gaps";
    EXPECT_GE(f.width, 1u);
    EXPECT_LE(f.width, 64u);
    EXPECT_LE(f.lsb + f.width, format.width);
    EXPECT_FALSE(f.doc.empty());
    EXPECT_EQ(format.find(f.name), &f) << "field names are unique";
    if (!f.enum_type.empty()) {
      EXPECT_FALSE(f.is_signed);
      EXPECT_GE(f.min, 0);
      EXPECT_LE(f.max, (std::int64_t{1} << f.width) - 1);
    } else if (f.is_signed) {
      EXPECT_GE(f.width, 2u);
      EXPECT_EQ(f.min, -(std::int64_t{1} << (f.width - 1)));
      EXPECT_EQ(f.max, (std::int64_t{1} << (f.width - 1)) - 1);
    } else {
      EXPECT_EQ(f.min, 0);
      EXPECT_EQ(f.max, static_cast<std::int64_t>(isa::bits::mask(f.width)));
    }
    next_lsb = f.lsb + f.width;
  }
  const isa::format_info* listed = isa::find_format(format.name);  // a copy in all_formats
  ASSERT_NE(listed, nullptr);
  EXPECT_EQ(listed->fields.data(), format.fields.data());
}

TYPED_TEST(isa_format, round_trips_random_values) {
  for (int i = 0; i < 2000; ++i) {
    const auto values = this->random_values();
    ASSERT_EQ(this->round_trip(values), values);
  }
}

TYPED_TEST(isa_format, round_trips_every_field_at_its_edges) {
  for (std::size_t i = 0; i < TestFixture::info.fields.size(); ++i) {
    const isa::field_info& f = TestFixture::info.fields[i];
    for (const std::int64_t edge : TestFixture::edge_values(f)) {
      SCOPED_TRACE(std::string(f.name) + " = " + std::to_string(edge));
      auto values = this->random_values();
      values[i] = edge;
      EXPECT_EQ(this->round_trip(values), values);
      // The struct round trip agrees with the values round trip.
      const TypeParam x = TestFixture::traits::from_values(values);
      EXPECT_EQ(TestFixture::traits::unpack(isa::pack(x)), x);
    }
  }
}

TYPED_TEST(isa_format, changing_a_field_leaves_the_others_alone) {
  for (int round = 0; round < 50; ++round) {
    const auto base = this->random_values();
    const auto base_words = TestFixture::pack_values(base);
    for (std::size_t i = 0; i < TestFixture::info.fields.size(); ++i) {
      const isa::field_info& f = TestFixture::info.fields[i];
      for (const std::int64_t v : TestFixture::edge_values(f)) {
        auto changed = base;
        changed[i] = v;
        const auto words = TestFixture::pack_values(changed);
        // Only the bits of field i differ ...
        for (unsigned bit = 0; bit < TypeParam::width; ++bit) {
          if (bit >= f.lsb && bit <= f.msb()) {
            continue;
          }
          ASSERT_EQ(isa::bits::extract(words, bit, 1), isa::bits::extract(base_words, bit, 1))
              << "setting " << f.name << " to " << v << " changed bit " << bit;
        }
        // ... and every other field reads back unchanged.
        const auto back = to_values(TestFixture::traits::unpack(words));
        for (std::size_t j = 0; j < back.size(); ++j) {
          ASSERT_EQ(back[j], j == i ? v : base[j])
              << "field " << TestFixture::info.fields[j].name << " after setting " << f.name;
        }
      }
    }
  }
}

TYPED_TEST(isa_format, unused_bits_stay_zero) {
  const isa::format_info& format = TestFixture::info;
  const unsigned used = format.fields.back().msb() + 1;
  const unsigned total = static_cast<unsigned>(64 * std::tuple_size_v<typename TypeParam::packed_type>);
  for (int i = 0; i < 200; ++i) {
    auto values = this->random_values();
    if (i < 2) {  // all fields at their minimum, then at their maximum
      for (std::size_t j = 0; j < values.size(); ++j) {
        values[j] = i == 0 ? format.fields[j].min : format.fields[j].max;
      }
    }
    const auto words = TestFixture::pack_values(values);
    for (unsigned bit = used; bit < total; ++bit) {
      ASSERT_EQ(isa::bits::extract(words, bit, 1), 0u) << "bit " << bit;
    }
  }
}

TYPED_TEST(isa_format, unpack_sign_extends_signed_fields_and_ignores_unused_bits) {
  typename TypeParam::packed_type ones;
  ones.fill(~std::uint64_t{0});
  const auto values = to_values(TestFixture::traits::unpack(ones));
  for (std::size_t i = 0; i < values.size(); ++i) {
    const isa::field_info& f = TestFixture::info.fields[i];
    SCOPED_TRACE(std::string(f.name));
    if (f.is_signed) {
      EXPECT_EQ(values[i], -1);
    } else {
      EXPECT_EQ(values[i], static_cast<std::int64_t>(isa::bits::mask(f.width)));
    }
  }
}

TYPED_TEST(isa_format, pack_rejects_values_outside_every_field) {
  using limits = std::numeric_limits<std::int64_t>;
  for (std::size_t i = 0; i < TestFixture::info.fields.size(); ++i) {
    const isa::field_info& f = TestFixture::info.fields[i];
    std::vector<std::int64_t> outside{limits::max(), limits::min()};
    if (f.max < limits::max()) {
      outside.push_back(f.max + 1);
    }
    if (f.min > limits::min()) {
      outside.push_back(f.min - 1);
    }
    for (const std::int64_t v : outside) {
      auto values = this->random_values();
      values[i] = v;
      const TypeParam x = TestFixture::traits::from_values(values);
      if (to_values(x)[i] != v) {
        continue;  // the struct member cannot even hold v
      }
      SCOPED_TRACE(std::string(f.name) + " = " + std::to_string(v));
      EXPECT_THROW(isa::pack(x), std::logic_error);
      try {
        (void)isa::pack(x);
        ADD_FAILURE() << "pack accepted " << v;
      } catch (const isa::field_out_of_range& e) {
        EXPECT_EQ(e.format, TestFixture::info.name);
        EXPECT_EQ(e.field, f.name);
        EXPECT_EQ(e.value, v);
        EXPECT_EQ(e.min, f.min);
        EXPECT_EQ(e.max, f.max);
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Known layouts: the widths are contracts (docs/isa.md, docs/numerics.md).
// ---------------------------------------------------------------------------

TEST(isa_formats, lists_every_format_with_its_width) {
  const std::vector<std::pair<std::string_view, unsigned>> expected{
      {"aer_packet", 64},   {"synapse_word", 32},    {"index_word", 32},      {"plastic_word", 32},
      {"axon_entry", 64},   {"neuron_state", 128},   {"pre_trace_state", 32},
      {"neuron_config", 128}, {"trace_config", 32},  {"learning_term", 64},
      {"learning_rule", 64}, {"route_entry", 64},  {"input_map_entry", 128}};
  ASSERT_EQ(isa::all_formats.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(isa::all_formats[i].name, expected[i].first);
    EXPECT_EQ(isa::all_formats[i].width, expected[i].second);
  }
  EXPECT_EQ(isa::find_format("no_such_format"), nullptr);
}

TEST(isa_formats, synapse_word_bits) {
  const isa::synapse_word x{.weight = -1,
                            .delay = 5,
                            .target = 0xabc,
                            .receptor = isa::receptor_kind::inhibitory,
                            .plastic = 1};
  const std::uint64_t expected = 0xffu | (5u << 8) | (0xabcu << 14) | (1u << 26) | (1u << 27);
  EXPECT_EQ(isa::pack(x)[0], expected);
  EXPECT_EQ(isa::unpack_synapse_word({expected}), x);
  // source: bits [31:28], the source's place in its block of IndexBlock.
  const isa::synapse_word indexed{.weight = 3, .delay = 1, .target = 2, .source = 0xd};
  EXPECT_EQ(isa::pack(indexed)[0], 3u | (1u << 8) | (2u << 14) | (std::uint64_t{0xd} << 28));
  EXPECT_EQ(isa::unpack_synapse_word(isa::pack(indexed)), indexed);
  EXPECT_EQ(isa::index_block, 16);
}

TEST(isa_formats, index_word_and_indexed_axon_bits) {
  const isa::index_word w{.run_end = 0xfedcb};
  EXPECT_EQ(isa::pack(w)[0], 0xfedcbu);
  EXPECT_EQ(isa::unpack_index_word(isa::pack(w)), w);
  EXPECT_THROW((void)isa::pack(isa::index_word{.run_end = 1u << 20}), isa::field_out_of_range);
  const isa::axon_entry a{.row_base = 5, .row_len = 3, .indexed = 1};
  EXPECT_EQ(isa::pack(a)[0], 5u | (std::uint64_t{3} << 20) | (std::uint64_t{1} << 49));
  EXPECT_EQ(isa::unpack_axon_entry(isa::pack(a)), a);
}

TEST(isa_formats, aer_packet_bits) {
  const isa::aer_packet x{.payload = 0x12, .timestamp = 0xfff, .neuron = 0x345, .src_core = 0xbeef};
  EXPECT_EQ(isa::pack(x)[0], 0x0000'beef'345f'ff12u);
}

TEST(isa_formats, route_key_and_input_map_bits) {
  // The routing key is src_core << 12 | neuron, 28 bits.
  const isa::route_entry r{.key = 0xbeef345, .mask = 0xffff000, .ports = 0x10};
  EXPECT_EQ(isa::pack(r)[0], 0xbeef345u | (std::uint64_t{0xffff000} << 28) | (std::uint64_t{0x10} << 56));
  const isa::input_map_entry m{.src_core = 0xbeef, .neuron_base = 0x345, .count = 4096, .axon_base = 0xabc,
                               .src_cores = 1};
  EXPECT_EQ(isa::pack(m)[0], 0xbeefu | (std::uint64_t{0x345} << 16) | (std::uint64_t{4096} << 28) |
                                 (std::uint64_t{0xabc} << 41) | (std::uint64_t{1} << 54));
  EXPECT_EQ(isa::pack(m)[1], 0u);
  EXPECT_EQ(isa::unpack_input_map_entry(isa::pack(m)), m);
  // 128 bits: indexed [53], src_cores [69:54] across the word boundary, index_base [89:70].
  const isa::input_map_entry x{.src_core = 3, .neuron_base = 0, .count = 20, .axon_base = 7, .indexed = 1,
                               .src_cores = 0xa5c3, .index_base = 0xfffff};
  const auto words = isa::pack(x);
  EXPECT_EQ(words[0], 3u | (std::uint64_t{20} << 28) | (std::uint64_t{7} << 41) | (std::uint64_t{1} << 53) |
                          (std::uint64_t{0xa5c3 & 0x3ff} << 54));
  EXPECT_EQ(words[1], (std::uint64_t{0xa5c3} >> 10) | (std::uint64_t{0xfffff} << 6));
  EXPECT_EQ(isa::unpack_input_map_entry(words), x);
  EXPECT_THROW((void)isa::pack(isa::input_map_entry{.src_cores = 1u << 16}), isa::field_out_of_range);
  EXPECT_THROW((void)isa::pack(isa::input_map_entry{.index_base = 1u << 20}), isa::field_out_of_range);
}

TEST(isa_formats, neuron_state_field_spans_two_words) {
  isa::neuron_state x;
  x.v = -2;  // bits [71:48]: the low 16 bits in word 0, the high 8 in word 1
  const auto words = isa::pack(x);
  EXPECT_EQ(words[0], 0xfffe'0000'0000'0000u);
  EXPECT_EQ(words[1], 0xffu);
  EXPECT_EQ(isa::unpack_neuron_state(words).v, -2);
}

TEST(isa_formats, learning_term_enum_fields) {
  isa::learning_term x;
  x.target = isa::learn_target::tag;
  x.op0 = isa::learn_operand::x1;
  x.const0 = -3;
  x.op2 = isa::learn_operand::c;
  x.last = 1;
  const auto back = isa::unpack_learning_term(isa::pack(x));
  EXPECT_EQ(back, x);
  EXPECT_EQ(back.op1, isa::learn_operand::none);
  // target [0], negate [1], scale [7:2], op0 [11:8], const0 [19:12]
  EXPECT_EQ(isa::pack(x)[0] & 0xfffffu, 0x1u | (3u << 8) | (0xfdu << 12));
}

TEST(isa_formats, pack_error_names_format_field_and_value) {
  isa::synapse_word x;
  x.weight = 200;
  try {
    (void)isa::pack(x);
    FAIL() << "pack accepted weight 200";
  } catch (const isa::field_out_of_range& e) {
    EXPECT_EQ(e.format, "synapse_word");
    EXPECT_EQ(e.field, "weight");
    EXPECT_EQ(e.value, 200);
    EXPECT_EQ(e.min, -128);
    EXPECT_EQ(e.max, 127);
    const std::string what = e.what();
    EXPECT_NE(what.find("synapse_word.weight"), std::string::npos) << what;
    EXPECT_NE(what.find("200"), std::string::npos) << what;
    EXPECT_NE(what.find("-128..127"), std::string::npos) << what;
  }
}

TEST(isa_formats, pack_rejects_an_enum_value_outside_the_enum) {
  isa::learning_term x;
  x.op1 = static_cast<isa::learn_operand>(13);  // fits 4 bits, but is no operand
  EXPECT_THROW((void)isa::pack(x), isa::field_out_of_range);
}

TEST(isa_formats, constants_fit_their_fields) {
  const auto field = [](const isa::format_info& format, std::string_view name) {
    const isa::field_info* f = format.find(name);
    EXPECT_NE(f, nullptr) << name;
    return f != nullptr ? *f : isa::field_info{};
  };
  EXPECT_EQ(isa::decay_unity, 1 << isa::decay_shift);
  EXPECT_EQ(field(isa::neuron_config_format, "decay_v").width,
            static_cast<unsigned>(isa::decay_shift));
  EXPECT_EQ(field(isa::synapse_word_format, "delay").max, isa::max_delay);
  EXPECT_GE(isa::min_delay, 1);
  EXPECT_GE(isa::weight_exp_min, field(isa::axon_entry_format, "weight_exp").min);
  EXPECT_LE(isa::weight_exp_max, field(isa::axon_entry_format, "weight_exp").max);
  EXPECT_EQ(field(isa::plastic_word_format, "weight_frac").width,
            static_cast<unsigned>(isa::learn_frac_bits));
  EXPECT_EQ(field(isa::learning_rule_format, "first_term").max + 1, isa::microcode_depth);
  EXPECT_GE(field(isa::learning_rule_format, "num_terms").max, isa::max_terms_per_rule);
  EXPECT_EQ(field(isa::axon_entry_format, "rule").max + 1, isa::max_learning_rules);
  EXPECT_EQ(field(isa::axon_entry_format, "pre_trace_profile").max + 1, isa::max_trace_profiles);
  EXPECT_EQ(field(isa::neuron_config_format, "post_trace_profile").max + 1,
            isa::max_trace_profiles);
  EXPECT_EQ(field(isa::learning_rule_format, "modulator").max + 1, isa::modulator_channels);
  EXPECT_EQ(field(isa::route_entry_format, "ports").width, isa::route_port_values.size());
  int operands = 0;  // one learn_operand field per factor of a term
  for (const isa::field_info& f : isa::learning_term_format.fields) {
    operands += f.enum_type == "learn_operand" ? 1 : 0;
  }
  EXPECT_EQ(operands, isa::max_factors_per_term);
}

}  // namespace
