#include <utility>

#include <engram/common/error.hpp>
#include <engram/common/text.hpp>

namespace engram {

namespace {
std::string locate(const std::string& source, const std::string& path, const std::string& detail) {
    std::string out = source;
    if (!path.empty()) {
        out += ": ";
        out += path;
    }
    out += ": ";
    out += detail;
    return out;
}

std::string suggest(const std::string& suggestion) {
    return suggestion.empty() ? std::string() : "; did you mean \"" + suggestion + "\"?";
}
} // namespace

input_error::input_error(std::string source, std::string path, std::string detail):
    user_error(locate(source, path, detail)),
    source_(std::move(source)),
    path_(std::move(path)),
    detail_(std::move(detail)) {}

file_error::file_error(std::string file_, std::string reason_):
    user_error(file_ + ": " + reason_), file(std::move(file_)), reason(std::move(reason_)) {}

input_too_large_error::input_too_large_error(std::string source, std::size_t bytes_, std::size_t limit_):
    input_error(std::move(source), "",
                "input of " + std::to_string(bytes_) + " bytes exceeds the limit of " + std::to_string(limit_) +
                    " bytes"),
    bytes(bytes_),
    limit(limit_) {}

json_syntax_error::json_syntax_error(std::string source, std::size_t line_, std::size_t column_,
                                     std::string reason_):
    input_error(std::move(source), "",
                "line " + std::to_string(line_) + ", column " + std::to_string(column_) + ": " + reason_),
    line(line_),
    column(column_),
    reason(std::move(reason_)) {}

nesting_too_deep_error::nesting_too_deep_error(std::string source, std::size_t line_, std::size_t column_,
                                               std::size_t limit_):
    input_error(std::move(source), "",
                "line " + std::to_string(line_) + ", column " + std::to_string(column_) +
                    ": nesting deeper than the limit of " + std::to_string(limit_) + " levels"),
    line(line_),
    column(column_),
    limit(limit_) {}

unknown_key_error::unknown_key_error(std::string source, std::string path, std::string key_,
                                     std::string suggestion_):
    input_error(std::move(source), std::move(path), "unknown key \"" + key_ + "\"" + suggest(suggestion_)),
    key(std::move(key_)),
    suggestion(std::move(suggestion_)) {}

missing_key_error::missing_key_error(std::string source, std::string path, std::string key_):
    input_error(std::move(source), std::move(path), "missing required key \"" + key_ + "\""),
    key(std::move(key_)) {}

type_error::type_error(std::string source, std::string path, std::string expected_, std::string found_):
    input_error(std::move(source), std::move(path), "expected " + expected_ + ", found " + found_),
    expected(std::move(expected_)),
    found(std::move(found_)) {}

range_error::range_error(std::string source, std::string path, double value_, std::string expected_):
    input_error(std::move(source), std::move(path),
                "value " + format_number(value_) + " is out of range: expected " + expected_),
    value(value_),
    expected(std::move(expected_)) {}

invalid_value_error::invalid_value_error(std::string source, std::string path, std::string value_,
                                         std::string expected_, std::string suggestion_):
    input_error(std::move(source), std::move(path),
                "\"" + value_ + "\" is not valid: expected " + expected_ + suggest(suggestion_)),
    value(std::move(value_)),
    expected(std::move(expected_)),
    suggestion(std::move(suggestion_)) {}

duplicate_name_error::duplicate_name_error(std::string source, std::string path, std::string name_,
                                           std::string first_path_):
    input_error(std::move(source), std::move(path),
                "name \"" + name_ + "\" is already defined at " + first_path_),
    name(std::move(name_)),
    first_path(std::move(first_path_)) {}

unknown_reference_error::unknown_reference_error(std::string source, std::string path, std::string kind_,
                                                 std::string name_, std::string suggestion_):
    input_error(std::move(source), std::move(path),
                "no " + kind_ + " named \"" + name_ + "\"" + suggest(suggestion_)),
    kind(std::move(kind_)),
    name(std::move(name_)),
    suggestion(std::move(suggestion_)) {}

conflict_error::conflict_error(std::string source, std::string path, std::string detail):
    input_error(std::move(source), std::move(path), std::move(detail)) {}

chip_limit_error::chip_limit_error(std::string source, std::string path, std::string resource_, double needed_,
                                   double available_, std::string detail):
    input_error(std::move(source), std::move(path), std::move(detail)),
    resource(std::move(resource_)),
    needed(needed_),
    available(available_) {}

unsupported_rule_error::unsupported_rule_error(std::string source, std::string path, std::string term_,
                                               std::string reason_):
    input_error(std::move(source), std::move(path),
                "the learning engine cannot express \"" + term_ + "\": " + reason_),
    term(std::move(term_)),
    reason(std::move(reason_)) {}

} // namespace engram
