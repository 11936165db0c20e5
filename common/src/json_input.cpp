#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/common/json_input.hpp>
#include <engram/common/text.hpp>

namespace engram::json_input {

using nlohmann::json;

document::document(std::string source, json root):
    source_(std::move(source)), root_(std::make_unique<json>(std::move(root))) {}

document::~document() = default;

namespace {

struct position {
    std::size_t line = 1;
    std::size_t column = 1;
};

position position_of(std::string_view text, std::size_t offset) {
    position p;
    offset = std::min(offset, text.size());
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++p.line;
            p.column = 1;
        }
        else {
            ++p.column;
        }
    }
    return p;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    }
    else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::optional<std::uint32_t> hex4(std::string_view s, std::size_t at) {
    if (at + 4 > s.size()) {
        return std::nullopt;
    }
    std::uint32_t v = 0;
    for (std::size_t k = at; k < at + 4; ++k) {
        const char c = s[k];
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= static_cast<std::uint32_t>(c - '0');
        }
        else if (c >= 'a' && c <= 'f') {
            v |= static_cast<std::uint32_t>(c - 'a' + 10);
        }
        else if (c >= 'A' && c <= 'F') {
            v |= static_cast<std::uint32_t>(c - 'A' + 10);
        }
        else {
            return std::nullopt;
        }
    }
    return v;
}

// The value of a JSON string's contents (escapes decoded), so that keys
// written differently but equal ("a" and "\u0061") compare equal. Malformed
// escapes are kept as written: the real parser rejects them afterwards.
std::string unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 >= s.size()) {
            out += s[i];
            continue;
        }
        const char e = s[++i];
        switch (e) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
            auto cp = hex4(s, i + 1);
            if (!cp) {
                out += "\\u";
                break;
            }
            i += 4;
            if (*cp >= 0xD800 && *cp < 0xDC00 && i + 2 < s.size() && s[i + 1] == '\\' && s[i + 2] == 'u') {
                if (auto low = hex4(s, i + 3); low && *low >= 0xDC00 && *low < 0xE000) {
                    *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
                    i += 6;
                }
            }
            append_utf8(out, *cp);
            break;
        }
        default: out += e; break; // \" \\ \/
        }
    }
    return out;
}

// One pass over the text before nlohmann builds anything: nesting depth and
// duplicate keys, both reported with their position. Malformed text is left
// to the real parser, which reports it precisely.
void prescan(std::string_view text, const std::string& source, const limits& lim) {
    struct level {
        bool is_object;
        std::set<std::string> keys;
    };
    std::vector<level> stack;
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        const char c = text[i];
        if (c == '{' || c == '[') {
            if (stack.size() >= lim.max_depth) {
                const auto p = position_of(text, i);
                throw nesting_too_deep_error(source, p.line, p.column, lim.max_depth);
            }
            stack.push_back(level{c == '{', {}});
            ++i;
        }
        else if (c == '}' || c == ']') {
            if (!stack.empty()) {
                stack.pop_back();
            }
            ++i;
        }
        else if (c == '"') {
            const std::size_t start = i;
            ++i;
            const std::size_t content = i;
            while (i < n && text[i] != '"') {
                i += text[i] == '\\' && i + 1 < n ? 2 : 1;
            }
            const std::string value = unescape(text.substr(content, std::min(i, n) - content));
            ++i; // closing quote (or past the end)
            if (!stack.empty() && stack.back().is_object) {
                std::size_t j = i;
                while (j < n && (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r')) {
                    ++j;
                }
                if (j < n && text[j] == ':' && !stack.back().keys.insert(value).second) {
                    const auto p = position_of(text, start);
                    throw json_syntax_error(source, p.line, p.column, "duplicate key \"" + value + "\"");
                }
            }
        }
        else {
            ++i;
        }
    }
}

std::string parse_error_reason(const char* what) {
    // nlohmann: "[json.exception.parse_error.101] parse error at line 1, column 5: <reason>"
    std::string_view w(what);
    const auto column = w.find("column ");
    const auto colon = column == std::string_view::npos ? w.find(": ") : w.find(": ", column);
    if (colon == std::string_view::npos) {
        return std::string(w);
    }
    return std::string(w.substr(colon + 2));
}

} // namespace

std::unique_ptr<document> parse(std::string_view text, std::string source, const limits& lim) {
    if (text.size() > lim.max_bytes) {
        throw input_too_large_error(source, text.size(), lim.max_bytes);
    }
    prescan(text, source, lim);
    try {
        return std::make_unique<document>(std::move(source), json::parse(text));
    }
    catch (const json::parse_error& e) {
        const auto p = position_of(text, e.byte == 0 ? 0 : e.byte - 1);
        throw json_syntax_error(source, p.line, p.column, parse_error_reason(e.what()));
    }
    catch (const json::out_of_range& e) {
        // A number too large for a double ("1e999"): nlohmann names the
        // literal but not where it is; find it in the text.
        const std::string_view what(e.what());
        const auto open = what.find('\'');
        const auto close = open == std::string_view::npos ? open : what.find('\'', open + 1);
        std::size_t offset = 0;
        std::string literal;
        if (close != std::string_view::npos) {
            literal = std::string(what.substr(open + 1, close - open - 1));
            offset = std::min(text.find(literal), text.size());
        }
        const auto p = position_of(text, offset);
        throw json_syntax_error(source, p.line, p.column,
                                "number " + literal + " is out of the range of a double");
    }
}

std::string read_file(const std::filesystem::path& file, std::size_t max_bytes) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
        throw file_error(file.string(), "is a directory, expected a file");
    }
    // Devices and pipes could block or never end: only regular files.
    if (std::filesystem::exists(file, ec) && !std::filesystem::is_regular_file(file, ec)) {
        throw file_error(file.string(), "is not a regular file");
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw file_error(file.string(), "cannot open for reading");
    }
    const auto size = std::filesystem::file_size(file, ec);
    if (!ec && size > max_bytes) {
        throw input_too_large_error(file.string(), static_cast<std::size_t>(size), max_bytes);
    }
    std::string text;
    char buffer[65536];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_bytes) {
            throw input_too_large_error(file.string(), text.size(), max_bytes);
        }
    }
    if (in.bad()) {
        throw file_error(file.string(), "read failed");
    }
    return text;
}

std::unique_ptr<document> parse_file(const std::filesystem::path& file, const limits& lim) {
    return parse(read_file(file, lim.max_bytes), file.string(), lim);
}

// --- value_ref -------------------------------------------------------------

value_ref::value_ref(const document& doc, const json& value, std::string path):
    doc_(&doc), value_(&value), path_(std::move(path)) {}

bool value_ref::is_null() const { return value_->is_null(); }
bool value_ref::is_object() const { return value_->is_object(); }
bool value_ref::is_array() const { return value_->is_array(); }
bool value_ref::is_string() const { return value_->is_string(); }
bool value_ref::is_number() const { return value_->is_number(); }
bool value_ref::is_bool() const { return value_->is_boolean(); }

std::string value_ref::describe() const {
    switch (value_->type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return value_->get<bool>() ? "boolean true" : "boolean false";
    case json::value_t::string: {
        std::string s = value_->get<std::string>();
        if (s.size() > 40) {
            s = s.substr(0, 37) + "...";
        }
        return "string \"" + s + "\"";
    }
    case json::value_t::number_integer: return "number " + std::to_string(value_->get<std::int64_t>());
    case json::value_t::number_unsigned: return "number " + std::to_string(value_->get<std::uint64_t>());
    case json::value_t::number_float: return "number " + format_number(value_->get<double>());
    case json::value_t::array: return "an array of " + std::to_string(value_->size()) + " elements";
    case json::value_t::object: return "an object";
    default: return "a binary value";
    }
}

void value_ref::fail_type(const std::string& expected) const {
    throw type_error(source(), path_, expected, describe());
}

void value_ref::fail_range(double value, const std::string& expected) const {
    throw range_error(source(), path_, value, expected);
}

double value_ref::number() const {
    if (!value_->is_number()) {
        fail_type("a number");
    }
    const double v = value_->get<double>();
    if (!std::isfinite(v)) {
        fail_range(v, "a finite number");
    }
    return v;
}

std::int64_t value_ref::integer() const {
    // nlohmann's is_number_integer() is also true for unsigned numbers, so
    // the unsigned case (which may exceed int64) comes first.
    if (value_->is_number_unsigned()) {
        const auto u = value_->get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            fail_range(static_cast<double>(u), "an integer below 2^63");
        }
        return static_cast<std::int64_t>(u);
    }
    if (value_->is_number_integer()) {
        return value_->get<std::int64_t>();
    }
    if (value_->is_number_float()) {
        const double v = value_->get<double>();
        if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15) {
            return static_cast<std::int64_t>(v);
        }
    }
    fail_type("an integer");
}

const std::string& value_ref::string() const {
    if (!value_->is_string()) {
        fail_type("a string");
    }
    return value_->get_ref<const std::string&>();
}

bool value_ref::boolean() const {
    if (!value_->is_boolean()) {
        fail_type("a boolean (true or false)");
    }
    return value_->get<bool>();
}

std::vector<value_ref> value_ref::array() const {
    if (!value_->is_array()) {
        fail_type("an array");
    }
    std::vector<value_ref> out;
    out.reserve(value_->size());
    std::size_t index = 0;
    for (const auto& element: *value_) {
        out.emplace_back(*doc_, element, path_ + "/" + std::to_string(index));
        ++index;
    }
    return out;
}

object_ref value_ref::object(std::initializer_list<std::string_view> allowed) const {
    return object(std::vector<std::string_view>(allowed));
}

object_ref value_ref::object(const std::vector<std::string_view>& allowed) const {
    if (!value_->is_object()) {
        fail_type("an object");
    }
    for (const auto& item: value_->items()) {
        bool known = false;
        for (auto a: allowed) {
            if (a == item.key()) {
                known = true;
                break;
            }
        }
        if (!known) {
            throw unknown_key_error(source(), path_ + "/" + escape_pointer_token(item.key()), item.key(),
                                    closest_match(item.key(), allowed));
        }
    }
    return object_ref(*this);
}

double value_ref::number_in(double lo, double hi, bool lo_open, bool hi_open) const {
    const double v = number();
    const bool below = lo_open ? v <= lo : v < lo;
    const bool above = hi_open ? v >= hi : v > hi;
    if (below || above) {
        std::string range = lo_open ? "(" : "[";
        range += format_number(lo) + ", ";
        range += hi == std::numeric_limits<double>::infinity() ? std::string("inf") : format_number(hi);
        range += hi_open ? ")" : "]";
        fail_range(v, "a number in " + range);
    }
    return v;
}

std::int64_t value_ref::integer_in(std::int64_t lo, std::int64_t hi) const {
    const std::int64_t v = integer();
    if (v < lo || v > hi) {
        fail_range(static_cast<double>(v),
                   "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return v;
}

const std::string& value_ref::choice(std::initializer_list<std::string_view> choices) const {
    const std::string& s = string();
    for (auto c: choices) {
        if (c == s) {
            return s;
        }
    }
    const std::vector<std::string_view> list(choices);
    throw invalid_value_error(source(), path_, s, "one of " + join_choices(list), closest_match(s, list));
}

// --- object_ref ------------------------------------------------------------

object_ref::object_ref(value_ref self): self_(std::move(self)) {}

bool object_ref::has(std::string_view key) const {
    return self_.raw().contains(key);
}

std::string object_ref::key_path(std::string_view key) const {
    return self_.path() + "/" + escape_pointer_token(key);
}

value_ref object_ref::required(std::string_view key) const {
    auto v = optional(key);
    if (!v) {
        throw missing_key_error(self_.source(), self_.path(), std::string(key));
    }
    return *v;
}

std::optional<value_ref> object_ref::optional(std::string_view key) const {
    const auto& raw = self_.raw();
    const auto it = raw.find(key);
    if (it == raw.end()) {
        return std::nullopt;
    }
    // The document owns the value; value_ref only points into it.
    return value_ref(self_.doc(), *it, key_path(key));
}

} // namespace engram::json_input
