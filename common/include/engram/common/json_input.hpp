#pragma once

// Reading untrusted JSON: size and nesting limits checked before parsing,
// duplicate keys rejected, and typed access that names the JSON pointer of
// every value in its errors. Objects are opened with the list of keys they
// may hold, so an unknown key is rejected with a "did you mean" suggestion.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace engram::json_input {

struct limits {
    std::size_t max_bytes = std::size_t{64} << 20; // 64 MiB
    std::size_t max_depth = 32;
};

// A parsed document and the name it is reported under (a file path, or
// "<string>"). Values refer into it, so it must outlive them.
class document {
public:
    document(std::string source, nlohmann::json root);
    ~document();
    document(const document&) = delete;
    document& operator=(const document&) = delete;

    const std::string& source() const noexcept { return source_; }
    const nlohmann::json& root() const noexcept { return *root_; }

private:
    std::string source_;
    std::unique_ptr<nlohmann::json> root_;
};

// Parses text reported as source. Throws input_too_large_error,
// nesting_too_deep_error or json_syntax_error (with line and column; also for
// duplicate keys).
std::unique_ptr<document> parse(std::string_view text, std::string source, const limits& lim = {});

// Reads a whole file (refusing files over lim.max_bytes before reading them).
// Throws file_error.
std::string read_file(const std::filesystem::path& file, std::size_t max_bytes);

// read_file + parse, reported under the file's path.
std::unique_ptr<document> parse_file(const std::filesystem::path& file, const limits& lim = {});

class object_ref;

// One value inside a document, with its JSON pointer.
class value_ref {
public:
    value_ref(const document& doc, const nlohmann::json& value, std::string path);

    const std::string& path() const noexcept { return path_; }
    const std::string& source() const noexcept { return doc_->source(); }
    const nlohmann::json& raw() const noexcept { return *value_; }
    const document& doc() const noexcept { return *doc_; }

    bool is_null() const;
    bool is_object() const;
    bool is_array() const;
    bool is_string() const;
    bool is_number() const;
    bool is_bool() const;

    // Typed reads; each throws type_error naming the path on a mismatch.
    double number() const;                 // any finite number
    std::int64_t integer() const;          // a number with no fractional part
    const std::string& string() const;
    bool boolean() const;
    std::vector<value_ref> array() const;
    // Opens an object that may hold only the allowed keys.
    object_ref object(std::initializer_list<std::string_view> allowed) const;
    object_ref object(const std::vector<std::string_view>& allowed) const;

    // Range-checked reads; expected describes the range ("in (0, 1000]").
    double number_in(double lo, double hi, bool lo_open, bool hi_open) const;
    std::int64_t integer_in(std::int64_t lo, std::int64_t hi) const;

    // The string, which must be one of choices (invalid_value_error with a
    // suggestion otherwise).
    const std::string& choice(std::initializer_list<std::string_view> choices) const;

    // Errors at this value.
    [[noreturn]] void fail_type(const std::string& expected) const;
    [[noreturn]] void fail_range(double value, const std::string& expected) const;

    // A short description of the value for messages: 'string "abc"',
    // 'number 3.5', 'an array', ...
    std::string describe() const;

private:
    const document* doc_;
    const nlohmann::json* value_;
    std::string path_;
};

// An object whose keys have been checked against its allowed keys.
class object_ref {
public:
    object_ref(value_ref self);

    const std::string& path() const noexcept { return self_.path(); }
    const std::string& source() const noexcept { return self_.source(); }
    const value_ref& self() const noexcept { return self_; }

    bool has(std::string_view key) const;
    // Throws missing_key_error.
    value_ref required(std::string_view key) const;
    std::optional<value_ref> optional(std::string_view key) const;
    // The path a key has (or would have) in this object.
    std::string key_path(std::string_view key) const;

private:
    value_ref self_;
};

} // namespace engram::json_input
