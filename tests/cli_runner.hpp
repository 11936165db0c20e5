#pragma once

// Runs the engram program (ENGRAM_CLI_PATH, set by tests/cli/CMakeLists.txt)
// with arguments, capturing exit code, stdout and stderr separately.

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

namespace engram::test {

struct cli_result {
    int code = -1;
    std::string out;
    std::string err;
};

// args are passed to the shell as written (quote them where needed).
inline cli_result run_cli(const std::string& args) {
    static int counter = 0;
    const std::filesystem::path err_file =
        std::filesystem::temp_directory_path() /
        ("engram_cli_err_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    const std::string command = std::string(ENGRAM_CLI_PATH) + " " + args + " 2>" + err_file.string();
    cli_result r;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        ADD_FAILURE() << "cannot run " << command;
        return r;
    }
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        r.out.append(buffer.data(), n);
    }
    const int status = ::pclose(pipe);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream err(err_file);
    r.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
    std::filesystem::remove(err_file);
    return r;
}

} // namespace engram::test
