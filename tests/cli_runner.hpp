#pragma once

// Runs the engram program (ENGRAM_CLI_PATH, set by tests/cli/CMakeLists.txt)
// with arguments, capturing exit code, stdout and stderr separately.

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <system_error>
#include <vector>

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

// Lines in a text (newlines counted).
inline std::size_t lines(const std::string& s) {
    return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

// The network file of examples/<name>/.
inline std::string example(const std::string& name) {
    return std::string(ENGRAM_SOURCE_DIR) + "/examples/" + name + "/network.json";
}

// A fresh folder under the system's temporary directory, removed with its
// contents at the end of the scope.
class temp_dir {
public:
    temp_dir() {
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() /
                ("engram_test_" + std::to_string(rd()) + "_" + std::to_string(::getpid()));
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
    std::string str(const std::string& name) const { return (path_ / name).string(); }
    // Writes `text` to the file `name` in the folder and returns its path.
    std::filesystem::path write(const std::string& name, const std::string& text) const {
        const std::filesystem::path p = path_ / name;
        std::ofstream(p) << text;
        return p;
    }
    // The names in the folder, sorted.
    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& e: std::filesystem::directory_iterator(path_)) {
            names.push_back(e.path().filename().string());
        }
        std::sort(names.begin(), names.end());
        return names;
    }

private:
    std::filesystem::path path_;
};

} // namespace engram::test
