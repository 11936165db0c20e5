#pragma once

// The table of bad network descriptions (network_error_cases.cpp) and the
// helpers that build its cases: one mutation of the valid fixture per case,
// with a checker for the exact error type, JSON pointer and fields.

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/compiler/network_loader.hpp>

#include "network_fixtures.hpp"

namespace engram::test {

using nlohmann::json;

struct network_case {
    std::string name;
    std::function<std::string()> text;
    checker check;
    compiler::network_load_options options{};
};


// The fixture with one change, as text.
inline std::function<std::string()> mutate(std::function<void(json&)> change) {
    return [change = std::move(change)] {
        json j = valid_network();
        change(j);
        return j.dump();
    };
}

inline json& pop(json& j, int i) { return j["populations"][i]; }
inline json& rule(json& j, int i) { return j["plasticity"][i]; }
inline json& proj(json& j, int i) { return j["projections"][i]; }
inline json& rec(json& j, int i) { return j["recording"][i]; }

// Renames key from to to in object o (keeping the value).
inline void rename(json& o, const std::string& from, const std::string& to) {
    json value = o[from];
    o.erase(from);
    o[to] = value;
}

inline checker unknown_key(std::string path, std::string key, std::string suggestion) {
    return expect<unknown_key_error>(std::move(path), [key, suggestion](const unknown_key_error& e) {
        EXPECT_EQ(e.key, key);
        EXPECT_EQ(e.suggestion, suggestion);
    });
}

inline checker missing_key(std::string path, std::string key) {
    return expect<missing_key_error>(std::move(path), [key](const missing_key_error& e) { EXPECT_EQ(e.key, key); });
}

inline checker type_mismatch(std::string path, std::string expected) {
    return expect<type_error>(std::move(path), [expected](const type_error& e) {
        EXPECT_EQ(e.expected, expected);
        EXPECT_FALSE(e.found.empty());
    });
}

inline checker out_of_range(std::string path, double value) {
    return expect<range_error>(std::move(path), [value](const range_error& e) {
        if (std::isinf(value)) {
            EXPECT_EQ(e.value, value);
        }
        else {
            EXPECT_DOUBLE_EQ(e.value, value);
        }
        EXPECT_FALSE(e.expected.empty());
    });
}

inline checker invalid_value(std::string path, std::string value, std::string suggestion = {}) {
    return expect<invalid_value_error>(std::move(path), [value, suggestion](const invalid_value_error& e) {
        EXPECT_EQ(e.value, value);
        EXPECT_EQ(e.suggestion, suggestion);
        EXPECT_FALSE(e.expected.empty());
    });
}

inline checker duplicate(std::string path, std::string name, std::string first_path) {
    return expect<duplicate_name_error>(std::move(path), [name, first_path](const duplicate_name_error& e) {
        EXPECT_EQ(e.name, name);
        EXPECT_EQ(e.first_path, first_path);
    });
}

inline checker unknown_reference(std::string path, std::string kind, std::string name, std::string suggestion) {
    return expect<unknown_reference_error>(std::move(path), [kind, name, suggestion](const unknown_reference_error& e) {
        EXPECT_EQ(e.kind, kind);
        EXPECT_EQ(e.name, name);
        EXPECT_EQ(e.suggestion, suggestion);
    });
}

inline checker conflict(std::string path) { return expect<conflict_error>(std::move(path)); }

inline checker unsupported(std::string path, std::string term) {
    return expect<unsupported_rule_error>(std::move(path), [term](const unsupported_rule_error& e) {
        EXPECT_EQ(e.term, term);
        EXPECT_FALSE(e.reason.empty());
    });
}

// n terms "x0 + x0 + ...".
inline std::string terms(int n) {
    std::string s = "x0";
    for (int i = 1; i < n; ++i) {
        s += " + x0";
    }
    return s;
}

// Test names and failure messages show the case by name.
inline void PrintTo(const network_case& c, std::ostream* os) { *os << c.name; }

// Every case of the table, grouped by the part of the document they break.
std::vector<network_case> all_network_cases();

} // namespace engram::test
