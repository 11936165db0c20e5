#pragma once

// The two roots of every error Engram raises, and the user errors shared by
// all parts. Internal errors (bugs) are std::logic_error; user errors (bad
// input, does not fit) derive from engram::user_error, a std::runtime_error.
// Specific errors carry the offending values as fields so that tests assert
// the type and the fields rather than the wording.

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace engram {

// Root of all user errors: the CLI prints what() on one line and exits 1.
class user_error: public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// An error in a named input (a file, or "<string>"), at a JSON pointer.
// what() is "<source>: <path>: <detail>" (the path is "" for the document root).
class input_error: public user_error {
public:
    input_error(std::string source, std::string path, std::string detail);

    const std::string& source() const noexcept { return source_; }
    const std::string& path() const noexcept { return path_; }
    const std::string& detail() const noexcept { return detail_; }

private:
    std::string source_;
    std::string path_;
    std::string detail_;
};

// A file that cannot be opened or read.
class file_error: public user_error {
public:
    file_error(std::string file, std::string reason);
    std::string file;
    std::string reason;
};

// The input is larger than the limit (checked before parsing).
class input_too_large_error: public input_error {
public:
    input_too_large_error(std::string source, std::size_t bytes, std::size_t limit);
    std::size_t bytes;
    std::size_t limit;
};

// JSON syntax error, with the line and column (1-based) where it was found.
class json_syntax_error: public input_error {
public:
    json_syntax_error(std::string source, std::size_t line, std::size_t column, std::string reason);
    std::size_t line;
    std::size_t column;
    std::string reason;
};

// Nesting deeper than the limit (checked before building the document).
class nesting_too_deep_error: public input_error {
public:
    nesting_too_deep_error(std::string source, std::size_t line, std::size_t column, std::size_t limit);
    std::size_t line;
    std::size_t column;
    std::size_t limit;
};

// A key that the format does not know; suggestion is the closest known key
// (empty when none is close).
class unknown_key_error: public input_error {
public:
    unknown_key_error(std::string source, std::string path, std::string key, std::string suggestion);
    std::string key;
    std::string suggestion;
};

// A required key is absent from the object at path.
class missing_key_error: public input_error {
public:
    missing_key_error(std::string source, std::string path, std::string key);
    std::string key;
};

// The value at path has the wrong JSON type.
class type_error: public input_error {
public:
    type_error(std::string source, std::string path, std::string expected, std::string found);
    std::string expected;
    std::string found;
};

// A number outside its valid range [min, max] (inclusive bounds as text,
// since some bounds are exclusive or open: the detail says which).
class range_error: public input_error {
public:
    range_error(std::string source, std::string path, double value, std::string expected);
    double value;
    std::string expected;
};

// A string (name, enum choice, expression) that is not one of the accepted
// values, with the closest accepted one where there is one.
class invalid_value_error: public input_error {
public:
    invalid_value_error(std::string source, std::string path, std::string value, std::string expected,
                        std::string suggestion = {});
    std::string value;
    std::string expected;
    std::string suggestion;
};

// A name defined twice; first_path is where it was defined first.
class duplicate_name_error: public input_error {
public:
    duplicate_name_error(std::string source, std::string path, std::string name, std::string first_path);
    std::string name;
    std::string first_path;
};

// A reference to a name that is not defined (of the given kind, e.g.
// "population"), with the closest defined name where there is one.
class unknown_reference_error: public input_error {
public:
    unknown_reference_error(std::string source, std::string path, std::string kind, std::string name,
                            std::string suggestion);
    std::string kind;
    std::string name;
    std::string suggestion;
};

// Values that are each valid but cannot be combined (e.g. a OneToOne
// projection between populations of different sizes).
class conflict_error: public input_error {
public:
    conflict_error(std::string source, std::string path, std::string detail);
};

// A request the chip cannot hold: which resource, how much is needed and how
// much there is (e.g. a delay of 80 steps on a chip holding 62).
class chip_limit_error: public input_error {
public:
    chip_limit_error(std::string source, std::string path, std::string resource, double needed, double available,
                     std::string detail);
    std::string resource;
    double needed;
    double available;
};

// A learning rule (or one of its terms) that the learning engine cannot
// express; term is the offending term as written.
class unsupported_rule_error: public input_error {
public:
    unsupported_rule_error(std::string source, std::string path, std::string term, std::string reason);
    std::string term;
    std::string reason;
};

} // namespace engram
