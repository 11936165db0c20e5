// Reading untrusted JSON: limits, syntax errors with positions, duplicate
// keys, and typed access that names the JSON pointer of every value.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <typeinfo>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/common/json_input.hpp>

namespace {

using namespace engram;
using namespace engram::json_input;

std::unique_ptr<document> doc_of(const std::string& text) { return parse(text, "in.json"); }

value_ref root_of(const document& d) { return value_ref(d, d.root(), ""); }

// A directory of its own, removed afterwards.
struct scratch_dir {
    std::filesystem::path path;
    explicit scratch_dir(const std::string& name):
        path(std::filesystem::path(::testing::TempDir()) /
             ("engram_json_" + name + "_" + std::to_string(static_cast<long>(::getpid())))) {
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~scratch_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::filesystem::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name, std::ios::binary) << text;
        return path / name;
    }
};

// --- parsing ------------------------------------------------------------------

TEST(json_input, parses_a_document) {
    const auto d = doc_of(R"({"a": [1, 2.5, "x"], "b": {"c": null}})");
    EXPECT_EQ(d->source(), "in.json");
    EXPECT_EQ(d->root()["a"][1], 2.5);
    EXPECT_TRUE(d->root()["b"]["c"].is_null());
}

TEST(json_input, syntax_error_on_line_3) {
    const std::string text = "{\n  \"a\": 1,\n  \"b\": x\n}";
    try {
        (void)doc_of(text);
        FAIL() << "expected a json_syntax_error";
    }
    catch (const json_syntax_error& e) {
        EXPECT_EQ(e.line, 3u);
        EXPECT_EQ(e.column, 8u); // the 'x'
        EXPECT_EQ(e.source(), "in.json");
        EXPECT_EQ(e.path(), "");
        EXPECT_FALSE(e.reason.empty());
        EXPECT_EQ(std::string(e.what()).rfind("in.json: line 3, column 8: ", 0), 0u) << e.what();
    }
}

TEST(json_input, syntax_error_positions) {
    struct position_case {
        std::string text;
        std::size_t line, column;
    };
    const position_case cases[] = {
        {"x", 1, 1},
        {"", 1, 1},
        {"{\"a\": 1,}", 1, 9},           // the '}' after a trailing comma
        {"[1, 2]\n\n  3", 3, 3},          // trailing garbage
        {"{\"a\": 1\n", 2, 1},            // truncated: just past the end
        {"{\"a\":\n  tru}", 2, 6},        // bad literal, at the character that breaks it
    };
    for (const auto& c: cases) {
        SCOPED_TRACE(c.text);
        try {
            (void)doc_of(c.text);
            ADD_FAILURE() << "expected a json_syntax_error";
        }
        catch (const json_syntax_error& e) {
            EXPECT_EQ(e.line, c.line);
            EXPECT_EQ(e.column, c.column);
        }
    }
}

TEST(json_input, duplicate_keys_are_syntax_errors) {
    try {
        (void)doc_of("{\"a\": {\"b\": 1,\n \"b\": 2}}");
        FAIL() << "expected a json_syntax_error";
    }
    catch (const json_syntax_error& e) {
        EXPECT_EQ(e.line, 2u);
        EXPECT_EQ(e.column, 2u);
        EXPECT_EQ(e.reason, "duplicate key \"b\"");
    }
}

TEST(json_input, same_key_in_different_objects_is_fine) {
    EXPECT_NO_THROW((void)doc_of(R"({"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]})"));
    // A string value equal to a key is not a key.
    EXPECT_NO_THROW((void)doc_of(R"({"a": "a", "b": ["a", "b"]})"));
    // Braces and quotes inside strings are not structure.
    EXPECT_NO_THROW((void)doc_of(R"({"a": "{\"a\": 1}", "b": "\\"})"));
}

// "\u0061" is "a": the document has the key "a" twice, and one of the two
// values would be dropped silently.
TEST(json_input, duplicate_keys_written_with_escapes) {
    EXPECT_THROW((void)doc_of(R"({"a": 1, "\u0061": 2})"), json_syntax_error);
    EXPECT_THROW((void)doc_of(R"({"a/b": 1, "a\/b": 2})"), json_syntax_error);
}

TEST(json_input, nesting_limit) {
    const auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    EXPECT_NO_THROW((void)doc_of(nested(32)));
    try {
        (void)doc_of(nested(33));
        FAIL() << "expected a nesting_too_deep_error";
    }
    catch (const nesting_too_deep_error& e) {
        EXPECT_EQ(e.limit, 32u);
        EXPECT_EQ(e.line, 1u);
        EXPECT_EQ(e.column, 33u);
        EXPECT_EQ(e.path(), "");
    }
    limits lim;
    lim.max_depth = 2;
    EXPECT_NO_THROW((void)parse(R"({"a": [1, "[[[[{{{"]})", "in.json", lim));
    EXPECT_THROW((void)parse(R"({"a": [{}]})", "in.json", lim), nesting_too_deep_error);
}

TEST(json_input, size_limit) {
    limits lim;
    lim.max_bytes = 10;
    EXPECT_NO_THROW((void)parse("[1,2,3,45]", "in.json", lim)); // exactly 10 bytes
    try {
        (void)parse("[1,2,3,456]", "in.json", lim);
        FAIL() << "expected an input_too_large_error";
    }
    catch (const input_too_large_error& e) {
        EXPECT_EQ(e.bytes, 11u);
        EXPECT_EQ(e.limit, 10u);
        EXPECT_EQ(e.source(), "in.json");
    }
}

TEST(json_input, default_limits) {
    const limits lim;
    EXPECT_EQ(lim.max_bytes, std::size_t{64} << 20);
    EXPECT_EQ(lim.max_depth, 32u);
}

// A number too large for a double is bad input, reported like any syntax
// error (not an internal error from the JSON library).
TEST(json_input, number_overflow_is_a_syntax_error) {
    try {
        (void)doc_of("{\n  \"dt\": 1e400\n}");
        FAIL() << "expected a json_syntax_error";
    }
    catch (const json_syntax_error& e) {
        EXPECT_EQ(e.line, 2u);
        EXPECT_EQ(e.source(), "in.json");
    }
    catch (const std::exception& e) {
        FAIL() << "expected a json_syntax_error, got " << typeid(e).name() << ": " << e.what();
    }
}

// --- files ----------------------------------------------------------------------

TEST(json_input, parse_file_reports_the_path) {
    const scratch_dir dir("parse_file");
    const auto file = dir.write("a.json", "{\n\"a\": ]\n}");
    try {
        (void)parse_file(file);
        FAIL() << "expected a json_syntax_error";
    }
    catch (const json_syntax_error& e) {
        EXPECT_EQ(e.source(), file.string());
        EXPECT_EQ(e.line, 2u);
        EXPECT_EQ(e.column, 6u);
    }
    const auto good = dir.write("b.json", R"({"a": 1})");
    EXPECT_EQ(parse_file(good)->source(), good.string());
}

TEST(json_input, read_file_errors) {
    const scratch_dir dir("read_file");
    try {
        (void)read_file(dir.path / "absent.json", 100);
        FAIL() << "expected a file_error";
    }
    catch (const file_error& e) {
        EXPECT_EQ(e.file, (dir.path / "absent.json").string());
        EXPECT_FALSE(e.reason.empty());
    }
    try {
        (void)read_file(dir.path, 100);
        FAIL() << "expected a file_error";
    }
    catch (const file_error& e) {
        EXPECT_EQ(e.file, dir.path.string());
    }
    const auto big = dir.write("big.json", std::string(101, ' '));
    try {
        (void)read_file(big, 100);
        FAIL() << "expected an input_too_large_error";
    }
    catch (const input_too_large_error& e) {
        EXPECT_EQ(e.bytes, 101u);
        EXPECT_EQ(e.limit, 100u);
        EXPECT_EQ(e.source(), big.string());
    }
    EXPECT_EQ(read_file(dir.write("ok.json", "[1]"), 3), "[1]");
}

// --- typed access ---------------------------------------------------------------

TEST(json_input, typed_reads) {
    const auto d = doc_of(R"({"n": 2.5, "i": 3, "f": 4.0, "s": "x", "b": true, "l": [1, 2]})");
    const auto o = root_of(*d).object({"n", "i", "f", "s", "b", "l"});
    EXPECT_EQ(o.required("n").number(), 2.5);
    EXPECT_EQ(o.required("i").integer(), 3);
    EXPECT_EQ(o.required("f").integer(), 4); // a float with no fraction is an integer
    EXPECT_EQ(o.required("s").string(), "x");
    EXPECT_TRUE(o.required("b").boolean());
    const auto items = o.required("l").array();
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[1].path(), "/l/1");
    EXPECT_EQ(items[1].integer(), 2);
    EXPECT_TRUE(o.required("s").is_string());
    EXPECT_TRUE(o.required("l").is_array());
    EXPECT_TRUE(o.required("b").is_bool());
    EXPECT_TRUE(o.required("i").is_number());
    EXPECT_FALSE(o.required("i").is_null());
}

TEST(json_input, type_errors_name_the_path) {
    const auto d = doc_of(R"({"s": "x", "n": 2.5, "o": {"deep": [null]}, "b": false})");
    const auto o = root_of(*d).object({"s", "n", "o", "b"});
    struct type_case {
        std::function<void()> read;
        std::string path, expected, found;
    };
    const type_case cases[] = {
        {[&] { (void)o.required("s").number(); }, "/s", "a number", "string \"x\""},
        {[&] { (void)o.required("n").integer(); }, "/n", "an integer", "number 2.5"},
        {[&] { (void)o.required("n").string(); }, "/n", "a string", "number 2.5"},
        {[&] { (void)o.required("s").boolean(); }, "/s", "a boolean (true or false)", "string \"x\""},
        {[&] { (void)o.required("o").array(); }, "/o", "an array", "an object"},
        {[&] { (void)o.required("b").object({}); }, "/b", "an object", "boolean false"},
        {[&] {
             const auto deep = o.required("o").object({"deep"}).required("deep").array();
             (void)deep[0].number();
         },
         "/o/deep/0", "a number", "null"},
        {[&] { (void)root_of(*d).array(); }, "", "an array", "an object"},
    };
    for (const auto& c: cases) {
        SCOPED_TRACE(c.path);
        try {
            c.read();
            ADD_FAILURE() << "expected a type_error";
        }
        catch (const type_error& e) {
            EXPECT_EQ(e.path(), c.path);
            EXPECT_EQ(e.expected, c.expected);
            EXPECT_EQ(e.found, c.found);
            EXPECT_EQ(e.source(), "in.json");
        }
    }
}

TEST(json_input, integer_limits) {
    const auto d = doc_of(R"({"big": 18446744073709551615, "max": 9223372036854775807, "neg": -5, "huge": 1e16})");
    const auto o = root_of(*d).object({"big", "max", "neg", "huge"});
    EXPECT_EQ(o.required("max").integer(), std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(o.required("neg").integer(), -5);
    EXPECT_THROW((void)o.required("big").integer(), range_error);
    EXPECT_THROW((void)o.required("huge").integer(), type_error);
}

TEST(json_input, ranges) {
    const auto d = doc_of(R"({"zero": 0, "one": 1, "half": 0.5, "seven": 7})");
    const auto o = root_of(*d).object({"zero", "one", "half", "seven"});
    EXPECT_EQ(o.required("half").number_in(0.0, 1.0, true, true), 0.5);
    EXPECT_EQ(o.required("one").number_in(0.0, 1.0, true, false), 1.0);
    EXPECT_EQ(o.required("zero").number_in(0.0, 1.0, false, true), 0.0);
    try {
        (void)o.required("zero").number_in(0.0, 1.0, true, false);
        FAIL() << "expected a range_error";
    }
    catch (const range_error& e) {
        EXPECT_EQ(e.path(), "/zero");
        EXPECT_EQ(e.value, 0.0);
        EXPECT_NE(e.expected.find("(0, 1]"), std::string::npos) << e.expected;
    }
    try {
        (void)o.required("one").number_in(0.0, 1.0, false, true);
        FAIL() << "expected a range_error";
    }
    catch (const range_error& e) {
        EXPECT_EQ(e.path(), "/one");
        EXPECT_NE(e.expected.find("[0, 1)"), std::string::npos) << e.expected;
    }
    EXPECT_EQ(o.required("seven").integer_in(1, 7), 7);
    try {
        (void)o.required("seven").integer_in(1, 6);
        FAIL() << "expected a range_error";
    }
    catch (const range_error& e) {
        EXPECT_EQ(e.path(), "/seven");
        EXPECT_EQ(e.value, 7.0);
        EXPECT_NE(e.expected.find("[1, 6]"), std::string::npos) << e.expected;
    }
    EXPECT_THROW((void)o.required("half").integer_in(0, 1), type_error);
}

TEST(json_input, choices) {
    const auto d = doc_of(R"({"a": "uniform", "b": "unifrom", "c": "banana", "d": 3})");
    const auto o = root_of(*d).object({"a", "b", "c", "d"});
    EXPECT_EQ(o.required("a").choice({"uniform", "normal"}), "uniform");
    try {
        (void)o.required("b").choice({"uniform", "normal"});
        FAIL() << "expected an invalid_value_error";
    }
    catch (const invalid_value_error& e) {
        EXPECT_EQ(e.path(), "/b");
        EXPECT_EQ(e.value, "unifrom");
        EXPECT_EQ(e.suggestion, "uniform");
        EXPECT_EQ(e.expected, "one of uniform or normal");
    }
    try {
        (void)o.required("c").choice({"uniform", "normal"});
        FAIL() << "expected an invalid_value_error";
    }
    catch (const invalid_value_error& e) {
        EXPECT_EQ(e.suggestion, "");
    }
    EXPECT_THROW((void)o.required("d").choice({"uniform"}), type_error);
}

TEST(json_input, unknown_keys_with_suggestion) {
    const auto d = doc_of(R"({"outer": {"tau_n": 1, "a/b": 2}})");
    const auto outer = root_of(*d).object({"outer"}).required("outer");
    try {
        (void)outer.object({"tau_m", "a/b"});
        FAIL() << "expected an unknown_key_error";
    }
    catch (const unknown_key_error& e) {
        EXPECT_EQ(e.path(), "/outer/tau_n");
        EXPECT_EQ(e.key, "tau_n");
        EXPECT_EQ(e.suggestion, "tau_m");
    }
    try {
        (void)outer.object({"tau_n", "a_b"});
        FAIL() << "expected an unknown_key_error";
    }
    catch (const unknown_key_error& e) {
        EXPECT_EQ(e.path(), "/outer/a~1b"); // escaped per RFC 6901
        EXPECT_EQ(e.key, "a/b");
        EXPECT_EQ(e.suggestion, "a_b");
    }
    EXPECT_NO_THROW((void)outer.object({"tau_n", "a/b", "unused"}));
}

TEST(json_input, required_and_optional_keys) {
    const auto d = doc_of(R"({"obj": {"x": 1}})");
    const auto obj = root_of(*d).object({"obj"}).required("obj").object({"x", "y", "p/q"});
    EXPECT_EQ(obj.path(), "/obj");
    EXPECT_TRUE(obj.has("x"));
    EXPECT_FALSE(obj.has("y"));
    EXPECT_FALSE(obj.optional("y").has_value());
    EXPECT_EQ(obj.optional("x")->path(), "/obj/x");
    EXPECT_EQ(obj.key_path("p/q"), "/obj/p~1q");
    try {
        (void)obj.required("y");
        FAIL() << "expected a missing_key_error";
    }
    catch (const missing_key_error& e) {
        EXPECT_EQ(e.path(), "/obj");
        EXPECT_EQ(e.key, "y");
    }
    const auto top = root_of(*d).object({"obj"});
    try {
        (void)top.required("z");
        FAIL() << "expected a missing_key_error";
    }
    catch (const missing_key_error& e) {
        EXPECT_EQ(e.path(), "");
        EXPECT_EQ(e.key, "z");
    }
}

TEST(json_input, describe) {
    const auto d = doc_of(R"({"s": "abc", "f": 3.5, "i": 3, "u": 18446744073709551615, "n": null, "t": true,
                              "a": [1, 2], "o": {}, "long": "0123456789012345678901234567890123456789X"})");
    const auto o = root_of(*d).object({"s", "f", "i", "u", "n", "t", "a", "o", "long"});
    EXPECT_EQ(o.required("s").describe(), "string \"abc\"");
    EXPECT_EQ(o.required("f").describe(), "number 3.5");
    EXPECT_EQ(o.required("i").describe(), "number 3");
    EXPECT_EQ(o.required("u").describe(), "number 18446744073709551615");
    EXPECT_EQ(o.required("n").describe(), "null");
    EXPECT_EQ(o.required("t").describe(), "boolean true");
    EXPECT_EQ(o.required("a").describe(), "an array of 2 elements");
    EXPECT_EQ(o.required("o").describe(), "an object");
    EXPECT_EQ(o.required("long").describe(), "string \"0123456789012345678901234567890123456...\"");
}

TEST(json_input, errors_are_user_errors) {
    const auto d = doc_of(R"({"s": "x"})");
    const auto o = root_of(*d).object({"s"});
    try {
        (void)o.required("s").number();
        FAIL() << "expected a type_error";
    }
    catch (const user_error& e) {
        EXPECT_EQ(std::string(e.what()), "in.json: /s: expected a number, found string \"x\"");
    }
}

} // namespace
