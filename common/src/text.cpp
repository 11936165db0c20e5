#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <vector>

#include <engram/common/text.hpp>

namespace engram {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = above;
        }
    }
    return row[b.size()];
}

namespace {
std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c: out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}
} // namespace

std::string closest_match(std::string_view word, std::span<const std::string_view> candidates) {
    const std::string w = lower(word);
    std::size_t best = static_cast<std::size_t>(-1);
    std::size_t best_prefix = 0;
    std::string_view best_candidate;
    for (auto candidate: candidates) {
        const std::string c = lower(candidate);
        const std::size_t d = edit_distance(w, c);
        // Ties go to the candidate sharing the longest prefix ("r2" -> "r0", not "x2").
        std::size_t prefix = 0;
        while (prefix < w.size() && prefix < c.size() && w[prefix] == c[prefix]) {
            ++prefix;
        }
        if (d < best || (d == best && prefix > best_prefix)) {
            best = d;
            best_prefix = prefix;
            best_candidate = candidate;
        }
    }
    // A typo: at most a third of the longer word, and at least one edit allowed.
    const std::size_t longest = std::max(word.size(), best_candidate.size());
    const std::size_t allowed = std::max<std::size_t>(1, longest / 3);
    if (best_candidate.empty() || best > allowed) {
        return {};
    }
    return std::string(best_candidate);
}

std::string format_number(double value) {
    if (std::isnan(value)) {
        return "nan";
    }
    if (std::isinf(value)) {
        return value > 0 ? "inf" : "-inf";
    }
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

std::string with_commas(std::uint64_t n) {
    std::string s = std::to_string(n);
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) {
        s.insert(static_cast<std::size_t>(i), ",");
    }
    return s;
}

std::string escape_pointer_token(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (char c: token) {
        if (c == '~') {
            out += "~0";
        }
        else if (c == '/') {
            out += "~1";
        }
        else {
            out += c;
        }
    }
    return out;
}

std::string join_choices(std::span<const std::string_view> choices) {
    std::string out;
    for (std::size_t i = 0; i < choices.size(); ++i) {
        if (i > 0) {
            out += i + 1 == choices.size() ? " or " : ", ";
        }
        out += choices[i];
    }
    return out;
}

} // namespace engram
