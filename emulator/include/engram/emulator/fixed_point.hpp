// The primitive operations of docs/numerics.md §1, §7 and §8, exactly as the
// document writes them. The emulator core uses them; the RTL co-simulation
// and the tests check against them.
#pragma once

#include <cstdint>

#include <engram/isa/formats.hpp>

namespace engram::emulator::fp {

constexpr std::int32_t sat24(std::int64_t x) noexcept {
  return x < -8388608 ? -8388608 : x > 8388607 ? 8388607 : static_cast<std::int32_t>(x);
}
constexpr std::int32_t sat16(std::int64_t x) noexcept {
  return x < -32768 ? -32768 : x > 32767 ? 32767 : static_cast<std::int32_t>(x);
}
constexpr std::uint32_t satu16(std::uint64_t x) noexcept {
  return x > 65535 ? 65535u : static_cast<std::uint32_t>(x);
}
constexpr std::int32_t sat32(std::int64_t x) noexcept {
  return x < INT32_MIN ? INT32_MIN : x > INT32_MAX ? INT32_MAX : static_cast<std::int32_t>(x);
}

/// sign(x)·⌊|x|·(4096−d)/4096⌋: rounds toward zero (numerics §1).
constexpr std::int32_t decay(std::int32_t x, std::uint32_t d) noexcept {
  const std::uint64_t m = x < 0 ? static_cast<std::uint64_t>(-static_cast<std::int64_t>(x))
                                : static_cast<std::uint64_t>(x);
  const std::uint64_t p = m * static_cast<std::uint64_t>(isa::decay_unity - static_cast<std::int32_t>(d));
  const std::int32_t r = static_cast<std::int32_t>(p >> isa::decay_shift);
  return x < 0 ? -r : r;
}

/// p / 2^k rounded to nearest, ties away from zero (k = 1..32).
constexpr std::int64_t rshift_round(std::int64_t p, int k) noexcept {
  const std::uint64_t a = p < 0 ? static_cast<std::uint64_t>(-p) : static_cast<std::uint64_t>(p);
  const std::uint64_t r = (a + (std::uint64_t{1} << (k - 1))) >> k;
  return p < 0 ? -static_cast<std::int64_t>(r) : static_cast<std::int64_t>(r);
}

/// One step of a trace: floor decay, then the impulse on an event (§7).
constexpr std::uint16_t trace_step(std::uint32_t x, const isa::trace_config& c, bool event,
                                   std::uint32_t in) noexcept {
  std::uint32_t y = static_cast<std::uint32_t>(
      (std::uint64_t{x} * static_cast<std::uint64_t>(isa::decay_unity - static_cast<std::int32_t>(c.decay))) >>
      isa::decay_shift);
  if (event) {
    y = satu16(std::uint64_t{y} + in);
  }
  return static_cast<std::uint16_t>(y);
}

/// The operand values a learning term can read for one synapse (§8).
struct learning_operands {
  std::int32_t x0 = 0, y0 = 0, r0 = 0;
  std::int32_t x1 = 0, x2 = 0, y1 = 0, y2 = 0, y3 = 0, r1 = 0;
  std::int32_t w = 0, t = 0;
};

/// factor(op, k) of §8.
constexpr std::int32_t factor(isa::learn_operand op, std::int32_t k, const learning_operands& v) noexcept {
  switch (op) {
    case isa::learn_operand::none: return 1;
    case isa::learn_operand::c: return k;
    case isa::learn_operand::x0: return v.x0 + k;
    case isa::learn_operand::y0: return v.y0 + k;
    case isa::learn_operand::r0: return v.r0 + k;
    case isa::learn_operand::x1: return v.x1 + k;
    case isa::learn_operand::x2: return v.x2 + k;
    case isa::learn_operand::y1: return v.y1 + k;
    case isa::learn_operand::y2: return v.y2 + k;
    case isa::learn_operand::y3: return v.y3 + k;
    case isa::learn_operand::r1: return v.r1 + k;
    case isa::learn_operand::w: return v.w + k;
    case isa::learn_operand::t: return v.t + k;
  }
  return 1;
}

/// One microcode term: the product of its three factors, scaled by 2^scale
/// (negative scales round to nearest, ties away from zero), negated if asked,
/// saturated to 32 bits (§8).
constexpr std::int32_t evaluate_term(const isa::learning_term& m, const learning_operands& v) noexcept {
  const std::int64_t p = std::int64_t{factor(m.op0, m.const0, v)} * factor(m.op1, m.const1, v) *
                         factor(m.op2, m.const2, v);
  std::int64_t q = 0;
  if (m.scale >= 0) {
    const std::int64_t lim = std::int64_t{1} << 31;
    const std::int64_t pc = p < -lim ? -lim : p > lim ? lim : p;
    q = pc * (std::int64_t{1} << m.scale);
  } else {
    q = rshift_round(p, -m.scale);
  }
  if (m.negate) {
    q = -q;
  }
  return sat32(q);
}

}  // namespace engram::emulator::fp
