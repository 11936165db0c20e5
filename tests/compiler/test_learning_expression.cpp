// Sum-of-products learning expressions: parsing into engine terms, the
// canonical form, and the rules the engine cannot express.

#include <functional>
#include <utility>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <engram/common/error.hpp>
#include <engram/compiler/learning_expression.hpp>
#include <engram/isa/formats.hpp>

#include "network_fixtures.hpp"

namespace {

using namespace engram;
using namespace engram::compiler;
using engram::test::checker;
using engram::test::expect;
using engram::test::expect_throw;
using op = isa::learn_operand;

learning_expression parse(const std::string& text) { return parse_learning_expression(text, "src", "/p"); }

using flat_factors = std::vector<std::pair<op, int>>;

flat_factors factors(std::initializer_list<std::pair<op, int>> list) { return flat_factors(list); }

flat_factors flat(const std::vector<learning_factor>& fs) {
    flat_factors out;
    for (const auto& f: fs) {
        out.emplace_back(f.operand, f.constant);
    }
    return out;
}

// Same terms: sign, scale and factors (not the text as written).
void expect_same_terms(const learning_expression& a, const learning_expression& b) {
    ASSERT_EQ(a.terms.size(), b.terms.size());
    for (std::size_t i = 0; i < a.terms.size(); ++i) {
        SCOPED_TRACE("term " + std::to_string(i));
        EXPECT_EQ(a.terms[i].negate, b.terms[i].negate);
        EXPECT_EQ(a.terms[i].scale, b.terms[i].scale);
        EXPECT_EQ(flat(a.terms[i].factors), flat(b.terms[i].factors));
    }
}

std::string repeated_terms(int n) {
    std::string s = "x0";
    for (int i = 1; i < n; ++i) {
        s += " + x0";
    }
    return s;
}

TEST(learning_expression, lava_pair_stdp) {
    const auto e = parse("2^-2*x1*y0 - 2^-2*y1*x0");
    ASSERT_EQ(e.terms.size(), 2u);
    EXPECT_FALSE(e.terms[0].negate);
    EXPECT_EQ(e.terms[0].scale, -2);
    EXPECT_EQ(flat(e.terms[0].factors), factors({{op::x1, 0}, {op::y0, 0}}));
    EXPECT_EQ(e.terms[0].text, "2^-2*x1*y0");
    EXPECT_TRUE(e.terms[1].negate);
    EXPECT_EQ(e.terms[1].scale, -2);
    EXPECT_EQ(flat(e.terms[1].factors), factors({{op::y1, 0}, {op::x0, 0}}));
    EXPECT_EQ(e.terms[1].text, "2^-2*y1*x0");
    EXPECT_TRUE(e.uses(op::x1));
    EXPECT_TRUE(e.uses(op::x0));
    EXPECT_FALSE(e.uses(op::r1));
    EXPECT_FALSE(e.uses(op::c));
}

TEST(learning_expression, constant_factor) {
    const auto e = parse("3*2^-4*x1*y0");
    ASSERT_EQ(e.terms.size(), 1u);
    EXPECT_FALSE(e.terms[0].negate);
    EXPECT_EQ(e.terms[0].scale, -4);
    EXPECT_EQ(flat(e.terms[0].factors), factors({{op::x1, 0}, {op::y0, 0}, {op::c, 3}}));
    EXPECT_TRUE(e.uses(op::c));
}

TEST(learning_expression, decimal_coefficient) {
    const auto e = parse("0.375*x1"); // 3 * 2^-3
    ASSERT_EQ(e.terms.size(), 1u);
    EXPECT_EQ(e.terms[0].scale, -3);
    EXPECT_EQ(flat(e.terms[0].factors), factors({{op::x1, 0}, {op::c, 3}}));
}

TEST(learning_expression, operand_plus_constant) {
    const auto e = parse("(w - 64)*t");
    ASSERT_EQ(e.terms.size(), 1u);
    EXPECT_EQ(e.terms[0].scale, 0);
    EXPECT_FALSE(e.terms[0].negate);
    EXPECT_EQ(flat(e.terms[0].factors), factors({{op::w, -64}, {op::t, 0}}));
    EXPECT_EQ(parse("(w + 127)*t").terms[0].factors[0].constant, 127);
    EXPECT_EQ(parse("(w - 128)*t").terms[0].factors[0].constant, -128);
}

TEST(learning_expression, powers_of_two_fold_into_the_scale) {
    struct expected_term {
        const char* text;
        bool negate;
        int scale;
        flat_factors factors;
    };
    const expected_term cases[] = {
        {"x1", false, 0, factors({{op::x1, 0}})},
        {"+x1", false, 0, factors({{op::x1, 0}})},
        {"-x1", true, 0, factors({{op::x1, 0}})},
        {"4*x1", false, 2, factors({{op::x1, 0}})},
        {"0.5*x1", false, -1, factors({{op::x1, 0}})},
        {"2^(-3)*x0", false, -3, factors({{op::x0, 0}})},
        {"2^2*2^-5*x0", false, -3, factors({{op::x0, 0}})},
        {"128*x1", false, 7, factors({{op::x1, 0}})},
        {"127*x1", false, 0, factors({{op::x1, 0}, {op::c, 127}})},
        {"-6*x1", true, 1, factors({{op::x1, 0}, {op::c, 3}})},
        {"x1*y0*w", false, 0, factors({{op::x1, 0}, {op::y0, 0}, {op::w, 0}})},
        {"3*x1*y0", false, 0, factors({{op::x1, 0}, {op::y0, 0}, {op::c, 3}})},
        {"2^31*r0", false, 31, factors({{op::r0, 0}})},
        {"2^-32*r1", false, -32, factors({{op::r1, 0}})},
        {"x0*y0*x2", false, 0, factors({{op::x0, 0}, {op::y0, 0}, {op::x2, 0}})},
        {"2^-1*y2*y3", false, -1, factors({{op::y2, 0}, {op::y3, 0}})},
    };
    for (const auto& c: cases) {
        SCOPED_TRACE(c.text);
        const auto e = parse(c.text);
        ASSERT_EQ(e.terms.size(), 1u);
        EXPECT_EQ(e.terms[0].negate, c.negate);
        EXPECT_EQ(e.terms[0].scale, c.scale);
        EXPECT_EQ(flat(e.terms[0].factors), c.factors);
    }
}

TEST(learning_expression, sixteen_terms_fit) {
    EXPECT_EQ(parse(repeated_terms(16)).terms.size(), 16u);
}

TEST(learning_expression, canonical_form) {
    EXPECT_EQ(to_string(parse("2^-2*x1*y0 - 2^-2*y1*x0")), "2^-2*x1*y0 - 2^-2*y1*x0");
    EXPECT_EQ(to_string(parse("0.25 * x1 * y0  -  0.25*y1*x0")), "2^-2*x1*y0 - 2^-2*y1*x0");
    EXPECT_EQ(to_string(parse("(w - 64)*t")), "2^0*(w - 64)*t");
    EXPECT_EQ(to_string(parse("3*2^-4*x1*y0")), "2^-4*x1*y0*3");
    EXPECT_EQ(to_string(parse("-x1 + (y1 + 5)")), "-2^0*x1 + 2^0*(y1 + 5)");
}

TEST(learning_expression, round_trip) {
    const std::string texts[] = {
        "2^-2*x1*y0 - 2^-2*y1*x0",
        "3*2^-4*x1*y0",
        "0.375*x1",
        "(w - 64)*t",
        "-x1 + (y1 + 5)*r1 - 6*y0",
        "2^-7*r1*t - (w + 127)*x0*y0",
        "2^31*x2 - 2^-32*y3",
        repeated_terms(16),
    };
    for (const auto& text: texts) {
        SCOPED_TRACE(text);
        const auto e = parse(text);
        const std::string canonical = to_string(e);
        const auto again = parse(canonical);
        expect_same_terms(e, again);
        EXPECT_EQ(to_string(again), canonical);
    }
}

// --- what the engine cannot express ----------------------------------------------

struct bad_expression {
    std::string text;
    checker check;
};

checker syntax(const std::string& text) {
    return expect<invalid_value_error>("/p", [text](const invalid_value_error& e) {
        EXPECT_EQ(e.value, text);
        EXPECT_EQ(e.source(), "src");
    });
}

checker operand(const std::string& name, const std::string& suggestion) {
    return expect<invalid_value_error>("/p", [name, suggestion](const invalid_value_error& e) {
        EXPECT_EQ(e.value, name);
        EXPECT_EQ(e.suggestion, suggestion);
    });
}

checker cannot(const std::string& term) {
    return expect<unsupported_rule_error>("/p", [term](const unsupported_rule_error& e) {
        EXPECT_EQ(e.term, term);
        EXPECT_FALSE(e.reason.empty());
        EXPECT_EQ(e.source(), "src");
    });
}

TEST(learning_expression, rejects) {
    const std::vector<bad_expression> cases = {
        {"", syntax("")},
        {"   ", syntax("   ")},
        {"x1 y0", syntax("x1 y0")},
        {"x1 # y0", syntax("x1 # y0")},
        {"2^-2*x1*", syntax("2^-2*x1*")},
        {"x1 +", syntax("x1 +")},
        {"- -x1", syntax("- -x1")},
        {"(w - 64*t", syntax("(w - 64*t")},
        {"2^x*x1", syntax("2^x*x1")},
        {"2^1.5*x1", syntax("2^1.5*x1")},
        {"X1*y0", operand("X1", "x1")},
        {"2^-2*x1*z0", operand("z0", "x0")},
        {"x1*tag", operand("tag", "")},
        {"0.3*x1*y0", cannot("0.3*x1*y0")},
        {"129*x1", cannot("129*x1")},
        {"255*x1", cannot("255*x1")},
        {"2^32*x1", cannot("2^32*x1")},
        {"2^-33*x1", cannot("2^-33*x1")},
        {"0*x1", cannot("0*x1")},
        {"2^-4", cannot("2^-4")},
        {"x1*y0*x2*y1", cannot("x1*y0*x2*y1")},
        {"2^-2*x1*y0 - 3*x1*y0*w", cannot("3*x1*y0*w")},
        {repeated_terms(17), cannot(repeated_terms(17))},
    };
    for (const auto& c: cases) {
        SCOPED_TRACE("\"" + c.text + "\"");
        expect_throw([&] { (void)parse(c.text); }, c.check);
    }
}

// unsupported_rule_error::term is "the offending term as written": the whole
// term, also when the problem is found in the middle of it.
TEST(learning_expression, unsupported_term_is_the_whole_term) {
    const std::pair<const char*, const char*> cases[] = {
        {"(w + 128)*t", "(w + 128)*t"},
        {"x0 - (w - 129)*t", "(w - 129)*t"},
        {"(64 - w)*t", "(64 - w)*t"},
        {"3^2*x1", "3^2*x1"},
    };
    for (const auto& [text, term]: cases) {
        SCOPED_TRACE(text);
        expect_throw([&] { (void)parse(text); }, cannot(term));
    }
}

} // namespace
