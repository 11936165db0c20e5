#pragma once

// The engram command line: argument handling shared by the subcommands.

#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <engram/common/error.hpp>

namespace engram::cli {

// A command-line mistake (unknown option, missing value): exit code 1.
class usage_error: public user_error {
public:
    using user_error::user_error;
};

// Minimal option parser: flags ("--check"), options with a value
// ("--chip X" or "--chip=X") and positional arguments, in any order.
class arguments {
public:
    arguments(std::span<const std::string_view> args, std::vector<std::string_view> flags,
              std::vector<std::string_view> options, std::string_view command);

    bool flag(std::string_view name) const;
    std::optional<std::string> option(std::string_view name) const;
    const std::vector<std::string>& positional() const { return positional_; }

private:
    std::vector<std::string> flags_set_;
    std::vector<std::pair<std::string, std::string>> options_set_;
    std::vector<std::string> positional_;
};

// "a,b[0..3,7],c" -> {"a", "b[0..3,7]", "c"}: commas inside brackets stay.
std::vector<std::string> split_list(const std::string& text);

int run_chips(std::span<const std::string_view> args);
int run_compile(std::span<const std::string_view> args);
int run_cosim(std::span<const std::string_view> args);
int run_inspect(std::span<const std::string_view> args);
int run_run(std::span<const std::string_view> args);
int run_power(std::span<const std::string_view> args);
int run_serve(std::span<const std::string_view> args);
int run_client(std::span<const std::string_view> args);

} // namespace engram::cli
