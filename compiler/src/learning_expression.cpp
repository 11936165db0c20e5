#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>

#include <engram/common/error.hpp>
#include <engram/common/text.hpp>
#include <engram/compiler/learning_expression.hpp>

namespace engram::compiler {

namespace {

enum class token_kind { number, name, caret, star, plus, minus, lparen, rparen, end };

struct token {
    token_kind kind;
    std::string text;
    std::size_t begin; // offset in the expression
    std::size_t end;
};

// The operands a user may name (none and c are implicit).
constexpr std::string_view operand_names[] = {"x0", "y0", "x1", "x2", "y1", "y2", "y3", "r0", "r1", "w", "t"};

// Range of the microcode's scale field.
std::int32_t scale_min() {
    for (const auto& f: isa::learning_term_format.fields) {
        if (f.name == "scale") {
            return static_cast<std::int32_t>(f.min);
        }
    }
    return -32;
}
std::int32_t scale_max() {
    for (const auto& f: isa::learning_term_format.fields) {
        if (f.name == "scale") {
            return static_cast<std::int32_t>(f.max);
        }
    }
    return 31;
}

class parser {
public:
    parser(std::string_view text, const std::string& source, const std::string& path):
        text_(text), source_(source), path_(path) {
        tokenize();
    }

    learning_expression parse() {
        learning_expression e;
        if (peek().kind == token_kind::end) {
            syntax("an expression with at least one term", "an empty expression");
        }
        bool negate = false;
        if (peek().kind == token_kind::plus || peek().kind == token_kind::minus) {
            negate = next().kind == token_kind::minus;
        }
        e.terms.push_back(parse_term(negate));
        while (peek().kind == token_kind::plus || peek().kind == token_kind::minus) {
            negate = next().kind == token_kind::minus;
            e.terms.push_back(parse_term(negate));
        }
        if (peek().kind != token_kind::end) {
            syntax("'+', '-' or '*'", "\"" + peek().text + "\"");
        }
        if (e.terms.size() > static_cast<std::size_t>(isa::max_terms_per_rule)) {
            throw unsupported_rule_error(source_, path_, std::string(text_),
                                         std::to_string(e.terms.size()) + " terms, the engine holds at most " +
                                             std::to_string(isa::max_terms_per_rule) + " per rule");
        }
        return e;
    }

private:
    void tokenize() {
        std::size_t i = 0;
        while (i < text_.size()) {
            const char c = text_[i];
            if (std::isspace(static_cast<unsigned char>(c))) {
                ++i;
                continue;
            }
            const std::size_t begin = i;
            if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
                while (i < text_.size() &&
                       (std::isdigit(static_cast<unsigned char>(text_[i])) || text_[i] == '.' ||
                        ((text_[i] == 'e' || text_[i] == 'E') && i + 1 < text_.size() &&
                         (std::isdigit(static_cast<unsigned char>(text_[i + 1])) || text_[i + 1] == '-' ||
                          text_[i + 1] == '+')) ||
                        ((text_[i] == '-' || text_[i] == '+') && (text_[i - 1] == 'e' || text_[i - 1] == 'E')))) {
                    ++i;
                }
                tokens_.push_back({token_kind::number, std::string(text_.substr(begin, i - begin)), begin, i});
                continue;
            }
            if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
                while (i < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[i])) || text_[i] == '_')) {
                    ++i;
                }
                tokens_.push_back({token_kind::name, std::string(text_.substr(begin, i - begin)), begin, i});
                continue;
            }
            token_kind k;
            switch (c) {
            case '^': k = token_kind::caret; break;
            case '*': k = token_kind::star; break;
            case '+': k = token_kind::plus; break;
            case '-': k = token_kind::minus; break;
            case '(': k = token_kind::lparen; break;
            case ')': k = token_kind::rparen; break;
            default:
                syntax("a number, an operand, '2^', '*', '+', '-', '(' or ')'",
                       "'" + std::string(1, c) + "' at offset " + std::to_string(i));
            }
            ++i;
            tokens_.push_back({k, std::string(1, c), begin, i});
        }
        tokens_.push_back({token_kind::end, "end of expression", text_.size(), text_.size()});
    }

    const token& peek() const { return tokens_[pos_]; }
    const token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }

    [[noreturn]] void syntax(const std::string& expected, const std::string& found) const {
        throw invalid_value_error(source_, path_, std::string(text_),
                                  "a sum of products (" + expected + "), found " + found);
    }

    // The term starting at begin, as written: up to the next '+' or '-' outside
    // parentheses that is not an exponent's sign, or the end.
    std::string term_from(std::size_t begin) const {
        std::size_t first = 0;
        while (first + 1 < tokens_.size() && tokens_[first].begin < begin) {
            ++first;
        }
        int depth = 0;
        std::size_t end = begin;
        for (std::size_t k = first; k < tokens_.size() && tokens_[k].kind != token_kind::end; ++k) {
            const token& t = tokens_[k];
            const bool after_caret = k > 0 && (tokens_[k - 1].kind == token_kind::caret ||
                                               (tokens_[k - 1].kind == token_kind::lparen && k > 1 &&
                                                tokens_[k - 2].kind == token_kind::caret));
            if (depth == 0 && k > first && (t.kind == token_kind::plus || t.kind == token_kind::minus) &&
                !after_caret) {
                break;
            }
            depth += t.kind == token_kind::lparen ? 1 : t.kind == token_kind::rparen ? -1 : 0;
            end = t.end;
        }
        return std::string(text_.substr(begin, end > begin ? end - begin : 0));
    }

    [[noreturn]] void unsupported(std::size_t begin, const std::string& reason) const {
        throw unsupported_rule_error(source_, path_, term_from(begin), reason);
    }

    std::int64_t parse_integer() {
        bool negative = false;
        if (peek().kind == token_kind::minus || peek().kind == token_kind::plus) {
            negative = next().kind == token_kind::minus;
        }
        const token& t = next();
        if (t.kind != token_kind::number || t.text.find_first_not_of("0123456789") != std::string::npos ||
            t.text.size() > 9) {
            syntax("an integer", "\"" + t.text + "\"");
        }
        const std::int64_t v = std::stoll(t.text);
        return negative ? -v : v;
    }

    learning_term parse_term(bool negate) {
        const std::size_t begin = peek().begin;
        learning_term term;
        double coefficient = negate ? -1.0 : 1.0;
        std::int64_t exponent = 0;
        for (;;) {
            const token t = next();
            if (t.kind == token_kind::number) {
                char* end = nullptr;
                const double v = std::strtod(t.text.c_str(), &end);
                if (end != t.text.c_str() + t.text.size()) {
                    syntax("a number", "\"" + t.text + "\"");
                }
                if (peek().kind == token_kind::caret) {
                    next();
                    if (v != 2.0) {
                        unsupported(begin, "only powers of two can be written with '^' (found base " + t.text + ")");
                    }
                    const bool paren = peek().kind == token_kind::lparen;
                    if (paren) {
                        next();
                    }
                    exponent += parse_integer();
                    if (paren && next().kind != token_kind::rparen) {
                        syntax("')'", "\"" + tokens_[pos_ - 1].text + "\"");
                    }
                }
                else {
                    coefficient *= v;
                }
            }
            else if (t.kind == token_kind::name) {
                term.factors.push_back({operand(t, begin), 0});
            }
            else if (t.kind == token_kind::lparen) {
                const token& name = next();
                if (name.kind != token_kind::name) {
                    unsupported(begin, "a parenthesised factor must be (operand + integer) or (operand - integer)");
                }
                learning_factor f{operand(name, begin), 0};
                const token& sign = next();
                if (sign.kind != token_kind::plus && sign.kind != token_kind::minus) {
                    unsupported(begin, "a parenthesised factor must be (operand + integer) or (operand - integer)");
                }
                const std::int64_t k = parse_integer();
                const std::int64_t c = sign.kind == token_kind::minus ? -k : k;
                if (c < -128 || c > 127) {
                    unsupported(begin, "the constant " + std::to_string(c) + " added to " + name.text +
                                           " is outside the engine's range [-128, 127]");
                }
                f.constant = static_cast<std::int32_t>(c);
                if (next().kind != token_kind::rparen) {
                    syntax("')'", "\"" + tokens_[pos_ - 1].text + "\"");
                }
                term.factors.push_back(f);
            }
            else {
                syntax("a number, an operand or '('", "\"" + t.text + "\"");
            }
            if (peek().kind != token_kind::star) {
                break;
            }
            next();
        }
        const std::size_t end = tokens_[pos_ - 1].end;
        term.text = std::string(text_.substr(begin, end - begin));
        if (term.factors.empty()) {
            unsupported(begin, "a term needs at least one operand (a constant alone changes every synapse "
                               "every epoch; write it as c-free form like 2^-4*x0)");
        }
        split_coefficient(term, coefficient, exponent, begin);
        if (term.factors.size() > static_cast<std::size_t>(isa::max_factors_per_term)) {
            unsupported(begin, std::to_string(term.factors.size()) + " factors, the engine multiplies at most " +
                                   std::to_string(isa::max_factors_per_term) +
                                   " per term (a coefficient that is not ±2^k counts as one)");
        }
        return term;
    }

    isa::learn_operand operand(const token& t, std::size_t begin) const {
        for (auto name: operand_names) {
            if (name == t.text) {
                if (auto op = isa::parse_learn_operand(name)) {
                    return *op;
                }
            }
        }
        (void)begin;
        throw invalid_value_error(source_, path_, t.text,
                                  "an operand (x0, y0, x1, x2, y1, y2, y3, r0, r1, w or t) in \"" +
                                      std::string(text_) + "\"",
                                  closest_match(t.text, operand_names));
    }

    // coefficient x 2^exponent = m x 2^scale with integer |m| <= 127.
    void split_coefficient(learning_term& term, double coefficient, std::int64_t exponent, std::size_t begin) {
        if (coefficient == 0.0) {
            unsupported(begin, "the term's coefficient is zero");
        }
        int e = 0;
        double m = std::frexp(coefficient, &e); // coefficient = m * 2^e, 0.5 <= |m| < 1
        // Make m an integer with as few bits as possible.
        int shift = 0;
        while (m != std::floor(m) && shift < 64) {
            m *= 2.0;
            ++shift;
        }
        if (m != std::floor(m)) {
            unsupported(begin, "the coefficient " + format_number(coefficient) + " is not m*2^k with integer m");
        }
        std::int64_t scale = exponent + e - shift;
        while (std::fmod(m, 2.0) == 0.0) {
            m /= 2.0;
            ++scale;
        }
        if (std::fabs(m) > 127.0) {
            unsupported(begin, "the coefficient " + format_number(coefficient) +
                                   " needs a mantissa of " + format_number(std::fabs(m)) +
                                   "; the engine holds m*2^k with |m| <= 127");
        }
        if (scale < scale_min() || scale > scale_max()) {
            unsupported(begin, "the scale 2^" + std::to_string(scale) + " is outside the engine's range 2^" +
                                   std::to_string(scale_min()) + " to 2^" + std::to_string(scale_max()));
        }
        term.negate = m < 0;
        term.scale = static_cast<std::int32_t>(scale);
        const double magnitude = std::fabs(m);
        if (magnitude != 1.0) {
            term.factors.push_back({isa::learn_operand::c, static_cast<std::int32_t>(magnitude)});
        }
    }

    std::string_view text_;
    const std::string& source_;
    const std::string& path_;
    std::vector<token> tokens_;
    std::size_t pos_ = 0;
};

} // namespace

bool learning_expression::uses(isa::learn_operand op) const {
    for (const auto& t: terms) {
        for (const auto& f: t.factors) {
            if (f.operand == op) {
                return true;
            }
        }
    }
    return false;
}

learning_expression parse_learning_expression(std::string_view text, const std::string& source,
                                              const std::string& path) {
    return parser(text, source, path).parse();
}

std::string to_string(const learning_expression& e) {
    std::string out;
    for (std::size_t i = 0; i < e.terms.size(); ++i) {
        const auto& t = e.terms[i];
        if (i > 0) {
            out += t.negate ? " - " : " + ";
        }
        else if (t.negate) {
            out += "-";
        }
        out += "2^" + std::to_string(t.scale);
        for (const auto& f: t.factors) {
            out += "*";
            if (f.operand == isa::learn_operand::c) {
                out += std::to_string(f.constant);
            }
            else if (f.constant == 0) {
                out += isa::to_string(f.operand);
            }
            else {
                out += "(" + std::string(isa::to_string(f.operand)) + (f.constant < 0 ? " - " : " + ") +
                       std::to_string(std::abs(f.constant)) + ")";
            }
        }
    }
    return out;
}

} // namespace engram::compiler
