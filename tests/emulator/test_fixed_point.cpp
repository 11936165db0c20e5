// The primitive operations of docs/numerics.md §1, §7 and §8 against the
// document's own examples and its definitions, restated here independently.
#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

#include <engram/emulator/fixed_point.hpp>
#include <engram/isa/formats.hpp>

namespace {

using namespace engram;
using emulator::fp::decay;
using emulator::fp::evaluate_term;
using emulator::fp::factor;
using emulator::fp::learning_operands;
using emulator::fp::rshift_round;
using emulator::fp::trace_step;
using isa::learn_operand;

constexpr std::int32_t int24_max = 8388607;
constexpr std::int32_t int24_min = -8388608;

// sign(x)·⌊|x|·(4096−d)/4096⌋ written as C++ integer division, which
// truncates toward zero: the definition of §1 without the code's shifts.
std::int64_t decay_by_division(std::int64_t x, std::int64_t d) { return x * (4096 - d) / 4096; }

isa::learning_term term(learn_operand op0, std::int32_t k0, learn_operand op1, std::int32_t k1, learn_operand op2,
                        std::int32_t k2, std::int32_t scale, bool negate = false) {
  isa::learning_term m;
  m.op0 = op0;
  m.const0 = k0;
  m.op1 = op1;
  m.const1 = k1;
  m.op2 = op2;
  m.const2 = k2;
  m.scale = scale;
  m.negate = negate ? 1 : 0;
  return m;
}

}  // namespace

TEST(fixed_point, saturation_bounds) {
  using namespace emulator::fp;
  EXPECT_EQ(sat24(8388607), 8388607);
  EXPECT_EQ(sat24(8388608), 8388607);
  EXPECT_EQ(sat24(-8388608), -8388608);
  EXPECT_EQ(sat24(-8388609), -8388608);
  EXPECT_EQ(sat24(std::int64_t{1} << 40), 8388607);
  EXPECT_EQ(sat16(32768), 32767);
  EXPECT_EQ(sat16(-32769), -32768);
  EXPECT_EQ(sat16(-5), -5);
  EXPECT_EQ(satu16(65535), 65535u);
  EXPECT_EQ(satu16(65536), 65535u);
  EXPECT_EQ(sat32(std::int64_t{INT32_MAX} + 1), INT32_MAX);
  EXPECT_EQ(sat32(std::int64_t{INT32_MIN} - 1), INT32_MIN);
  EXPECT_EQ(sat32(-7), -7);
}

TEST(fixed_point, decay_matches_the_worked_example) {
  // numerics §10, steps 2, 3 and 6.
  EXPECT_EQ(decay(25600, 742), 20962);  // ⌊20962.5⌋
  EXPECT_EQ(decay(-7680, 390), -6948);  // −⌊6948.75⌋: toward zero, floor would give −6949
  EXPECT_EQ(decay(-3200, 200), -3043);  // −⌊3043.75⌋
  EXPECT_EQ(decay(1000, 200), 951);
  EXPECT_EQ(decay(72162, 742), 59089);
}

TEST(fixed_point, decay_rounds_toward_zero_for_negative_values) {
  EXPECT_EQ(decay(-1, 1), 0);  // floor would keep −1 forever
  EXPECT_EQ(decay(1, 1), 0);
  EXPECT_EQ(decay(-4096, 1), -4095);
  EXPECT_EQ(decay(-4097, 1), -4095);  // −4095.9998 → −4095 (floor: −4096)
  for (std::int32_t x : {1, 2, 3, 7, 100, 4095, 4096, 4097, 65535, 123457, int24_max}) {
    for (std::uint32_t d : {1u, 200u, 390u, 742u, 2048u, 4000u, 4095u}) {
      EXPECT_EQ(decay(-x, d), -decay(x, d)) << "x " << x << " d " << d;
    }
  }
}

TEST(fixed_point, decay_is_the_truncating_quotient_over_the_register_range) {
  for (std::int64_t x = int24_min; x <= int24_max; x += 65521) {
    for (std::uint32_t d = 0; d < 4096; d += 97) {
      ASSERT_EQ(decay(static_cast<std::int32_t>(x), d), decay_by_division(x, d)) << "x " << x << " d " << d;
    }
  }
  for (std::int32_t x : {int24_min, int24_min + 1, -1, 0, 1, int24_max - 1, int24_max}) {
    for (std::uint32_t d = 0; d < 4096; ++d) {
      ASSERT_EQ(decay(x, d), decay_by_division(x, d)) << "x " << x << " d " << d;
    }
  }
}

TEST(fixed_point, decay_zero_keeps_the_value) {
  for (std::int32_t x : {int24_min, -7680, -1, 0, 1, 25600, int24_max}) {
    EXPECT_EQ(decay(x, 0), x);
  }
}

TEST(fixed_point, decay_4095_keeps_one_4096th) {
  // No exact full decay: d = 4095 leaves |x| >> 12 (§1).
  EXPECT_EQ(decay(4095, 4095), 0);
  EXPECT_EQ(decay(4096, 4095), 1);
  EXPECT_EQ(decay(8191, 4095), 1);
  EXPECT_EQ(decay(8192, 4095), 2);
  EXPECT_EQ(decay(-4095, 4095), 0);
  EXPECT_EQ(decay(-4096, 4095), -1);
  EXPECT_EQ(decay(-8191, 4095), -1);  // floor would give −2
  EXPECT_EQ(decay(int24_max, 4095), 2047);
  EXPECT_EQ(decay(int24_min, 4095), -2048);
}

TEST(fixed_point, rshift_round_to_nearest_ties_away_from_zero) {
  // The examples of §1.
  EXPECT_EQ(rshift_round(3072, 11), 2);
  EXPECT_EQ(rshift_round(-3072, 11), -2);
  EXPECT_EQ(rshift_round(-3071, 11), -1);
  // Ties go away from zero, on both sides.
  EXPECT_EQ(rshift_round(1024, 11), 1);
  EXPECT_EQ(rshift_round(-1024, 11), -1);
  EXPECT_EQ(rshift_round(1023, 11), 0);
  EXPECT_EQ(rshift_round(-1023, 11), 0);
  EXPECT_EQ(rshift_round(3, 1), 2);
  EXPECT_EQ(rshift_round(-3, 1), -2);
  EXPECT_EQ(rshift_round(1, 1), 1);
  EXPECT_EQ(rshift_round(-1, 1), -1);
  EXPECT_EQ(rshift_round(0, 5), 0);
  // §10 STDP: 194112 / 2048 = 94.78 → 95; 241416 / 2048 = 117.88 → 118.
  EXPECT_EQ(rshift_round(194112, 11), 95);
  EXPECT_EQ(rshift_round(241416, 11), 118);
  // k = 32, and the largest product of three factors (65662³ < 2^49).
  EXPECT_EQ(rshift_round(std::int64_t{1} << 31, 32), 1);
  EXPECT_EQ(rshift_round((std::int64_t{1} << 31) - 1, 32), 0);
  EXPECT_EQ(rshift_round(-(std::int64_t{1} << 31), 32), -1);
  const std::int64_t big = std::int64_t{65662} * 65662 * 65662;
  EXPECT_EQ(rshift_round(big, 32), (big + (std::int64_t{1} << 31)) >> 32);
  EXPECT_EQ(rshift_round(-big, 32), -((big + (std::int64_t{1} << 31)) >> 32));
}

TEST(fixed_point, trace_step_decays_by_floor_then_adds_the_undecayed_impulse) {
  const isa::trace_config c{.decay = 390, .impulse = 4096};
  // §10 STDP column x1: 4096, 3706, 3353, 3033, 2744, then 2482 + 4096.
  EXPECT_EQ(trace_step(0, c, true, c.impulse), 4096);
  EXPECT_EQ(trace_step(4096, c, false, c.impulse), 3706);
  EXPECT_EQ(trace_step(3706, c, false, c.impulse), 3353);
  EXPECT_EQ(trace_step(3353, c, false, c.impulse), 3033);
  EXPECT_EQ(trace_step(3033, c, false, c.impulse), 2744);
  EXPECT_EQ(trace_step(2744, c, true, c.impulse), 6578);
  // Without an event the input is ignored.
  EXPECT_EQ(trace_step(100, {.decay = 0, .impulse = 7}, false, 7), 100);
  // d = 4095 keeps x >> 12.
  EXPECT_EQ(trace_step(65535, {.decay = 4095, .impulse = 0}, false, 0), 15);
  EXPECT_EQ(trace_step(4095, {.decay = 4095, .impulse = 0}, false, 0), 0);
}

TEST(fixed_point, trace_step_saturates_at_65535) {
  const isa::trace_config c{.decay = 0, .impulse = 4096};
  EXPECT_EQ(trace_step(65535, c, true, c.impulse), 65535);
  EXPECT_EQ(trace_step(61439, c, true, c.impulse), 65535);
  EXPECT_EQ(trace_step(61438, c, true, c.impulse), 65534);
  EXPECT_EQ(trace_step(60000, {.decay = 0, .impulse = 65535}, true, 65535), 65535);
  // A modulator event adds payload × impulse (mod_in, §5), also saturating.
  EXPECT_EQ(trace_step(1000, {.decay = 0, .impulse = 16}, true, 255u * 16u), 1000 + 4080);
  EXPECT_EQ(trace_step(65000, {.decay = 0, .impulse = 16}, true, 255u * 16u), 65535);
  // Decay first: 65535·(4096−1)/4096 = 65519.0…, then + 16 = 65535, not saturated.
  EXPECT_EQ(trace_step(65535, {.decay = 1, .impulse = 16}, true, 16), 65535);
  EXPECT_EQ(trace_step(65535, {.decay = 1, .impulse = 15}, true, 15), 65534);
}

TEST(fixed_point, factor_of_each_operand) {
  learning_operands v;
  v.x0 = 1;
  v.y0 = 0;
  v.r0 = 1;
  v.x1 = 1001;
  v.x2 = 1002;
  v.y1 = 1003;
  v.y2 = 1004;
  v.y3 = 1005;
  v.r1 = 1006;
  v.w = -32768;
  v.t = -200;
  EXPECT_EQ(factor(learn_operand::none, 0, v), 1);
  EXPECT_EQ(factor(learn_operand::none, 55, v), 1);  // the constant is ignored
  EXPECT_EQ(factor(learn_operand::c, 64, v), 64);
  EXPECT_EQ(factor(learn_operand::c, -128, v), -128);
  EXPECT_EQ(factor(learn_operand::x0, 0, v), 1);
  EXPECT_EQ(factor(learn_operand::x0, -1, v), 0);
  EXPECT_EQ(factor(learn_operand::y0, 3, v), 3);
  EXPECT_EQ(factor(learn_operand::r0, 2, v), 3);
  EXPECT_EQ(factor(learn_operand::x1, 5, v), 1006);
  EXPECT_EQ(factor(learn_operand::x2, -2, v), 1000);
  EXPECT_EQ(factor(learn_operand::y1, 0, v), 1003);
  EXPECT_EQ(factor(learn_operand::y2, 1, v), 1005);
  EXPECT_EQ(factor(learn_operand::y3, 127, v), 1132);
  EXPECT_EQ(factor(learn_operand::r1, -6, v), 1000);
  EXPECT_EQ(factor(learn_operand::w, -128, v), -32896);  // the lower bound of §8
  EXPECT_EQ(factor(learn_operand::t, 10, v), -190);
  v.x1 = 65535;
  EXPECT_EQ(factor(learn_operand::x1, 127, v), 65662);  // the upper bound of §8
}

TEST(fixed_point, evaluate_term_with_positive_and_zero_scale) {
  learning_operands v;
  v.x1 = 3;
  v.y1 = 5;
  v.w = 7;
  EXPECT_EQ(evaluate_term(term(learn_operand::x1, 0, learn_operand::y1, 0, learn_operand::w, 0, 0), v), 105);
  EXPECT_EQ(evaluate_term(term(learn_operand::x1, 0, learn_operand::y1, 0, learn_operand::w, 0, 2), v), 420);
  EXPECT_EQ(evaluate_term(term(learn_operand::x1, 0, learn_operand::y1, 0, learn_operand::w, 0, 2, true), v), -420);
  EXPECT_EQ(evaluate_term(term(learn_operand::c, -3, learn_operand::none, 0, learn_operand::none, 0, 4), v), -48);
  EXPECT_EQ(evaluate_term(term(learn_operand::c, -3, learn_operand::none, 0, learn_operand::none, 0, 4, true), v), 48);
}

TEST(fixed_point, evaluate_term_with_negative_scale_rounds_half_away_from_zero) {
  learning_operands v;
  // §10 STDP: y0 · x1 · c(64) · 2^−11 with x1 = 3033 → 95;
  // −(x0 · y1 · c(72) · 2^−11) with y1 = 3353 → −118.
  v.y0 = 1;
  v.x1 = 3033;
  EXPECT_EQ(evaluate_term(term(learn_operand::y0, 0, learn_operand::x1, 0, learn_operand::c, 64, -11), v), 95);
  v.y0 = 0;
  EXPECT_EQ(evaluate_term(term(learn_operand::y0, 0, learn_operand::x1, 0, learn_operand::c, 64, -11), v), 0);
  v.x0 = 1;
  v.y1 = 3353;
  EXPECT_EQ(evaluate_term(term(learn_operand::x0, 0, learn_operand::y1, 0, learn_operand::c, 72, -11, true), v), -118);
  // A negative product: 3072 · (−1) / 2048 = −1.5 → −2; negated: 2.
  v.x1 = 3072;
  EXPECT_EQ(evaluate_term(term(learn_operand::x1, 0, learn_operand::c, -1, learn_operand::none, 0, -11), v), -2);
  EXPECT_EQ(evaluate_term(term(learn_operand::x1, 0, learn_operand::c, -1, learn_operand::none, 0, -11, true), v), 2);
  v.x1 = 3071;
  EXPECT_EQ(evaluate_term(term(learn_operand::x1, 0, learn_operand::c, -1, learn_operand::none, 0, -11), v), -1);
  // Scale −32: only products of at least 2^31 in magnitude survive.
  v.x1 = 65535;
  EXPECT_EQ(evaluate_term(term(learn_operand::x1, 127, learn_operand::x1, 127, learn_operand::x1, 127, -32), v),
            65915);  // 65662³ / 2^32 = 65914.73 → 65915
}

TEST(fixed_point, evaluate_term_saturates_to_int32) {
  learning_operands v;
  v.x1 = 65535;
  v.w = -32768;
  const auto big = term(learn_operand::x1, 127, learn_operand::x1, 127, learn_operand::x1, 127, 0);
  EXPECT_EQ(evaluate_term(big, v), INT32_MAX);
  auto big_negated = big;
  big_negated.negate = 1;
  // The product is clamped to 2^31 before negation: −2^31 fits exactly.
  EXPECT_EQ(evaluate_term(big_negated, v), INT32_MIN);
  const auto low = term(learn_operand::w, -128, learn_operand::x1, 127, learn_operand::x1, 127, 0);
  EXPECT_EQ(evaluate_term(low, v), INT32_MIN);
  auto low_negated = low;
  low_negated.negate = 1;
  EXPECT_EQ(evaluate_term(low_negated, v), INT32_MAX);
  // The largest scale: 1 · 2^31 saturates, −1 · 2^31 does not.
  const auto one = term(learn_operand::c, 1, learn_operand::none, 0, learn_operand::none, 0, 31);
  EXPECT_EQ(evaluate_term(one, v), INT32_MAX);
  const auto minus_one = term(learn_operand::c, -1, learn_operand::none, 0, learn_operand::none, 0, 31);
  EXPECT_EQ(evaluate_term(minus_one, v), INT32_MIN);
  // A saturated product times 2^31 is still just INT32_MAX (|q| ≤ 2^62, no overflow).
  auto huge = big;
  huge.scale = 31;
  EXPECT_EQ(evaluate_term(huge, v), INT32_MAX);
  auto huge_low = low;
  huge_low.scale = 31;
  EXPECT_EQ(evaluate_term(huge_low, v), INT32_MIN);
  // Negative scale on a saturating product: 65662³ / 2 exceeds INT32_MAX.
  auto halved = big;
  halved.scale = -1;
  EXPECT_EQ(evaluate_term(halved, v), INT32_MAX);
}
