#pragma once

// Sum-of-products learning expressions in the form Loihi's learning engine
// executes and Lava writes them, e.g. "2^-2*x1*y0 - 2^-2*y1*x0":
//   expression := ['+'|'-'] term { ('+'|'-') term }
//   term       := factor { '*' factor }
//   factor     := number | '2^' ['('] integer [')'] | operand
//               | '(' operand ('+'|'-') integer ')'
//   operand    := x0 | y0 | x1 | x2 | y1 | y2 | y3 | r0 | r1 | w | t
// Each term's numeric factors multiply into one coefficient that must be
// m·2^e with integer |m| <= 127 (m != ±1 uses one factor slot as a constant);
// at most three variable factors per term and the engine's term count.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <engram/isa/formats.hpp>

namespace engram::compiler {

struct learning_factor {
    isa::learn_operand operand = isa::learn_operand::none;
    std::int32_t constant = 0; // added to the operand; the value itself for operand c
};

struct learning_term {
    bool negate = false;
    std::int32_t scale = 0;                 // the term is multiplied by 2^scale
    std::vector<learning_factor> factors;   // at most max_factors_per_term
    std::string text;                       // the term as written, for messages
};

struct learning_expression {
    std::vector<learning_term> terms;
    bool uses(isa::learn_operand op) const;
};

// Parses text; errors are unsupported_rule_error (naming the term) or
// invalid_value_error (syntax), reported at source/path.
learning_expression parse_learning_expression(std::string_view text, const std::string& source,
                                              const std::string& path);

// The expression written back in canonical form ("2^-2*x1*y0 - 2^-2*y1*x0").
std::string to_string(const learning_expression& e);

} // namespace engram::compiler
