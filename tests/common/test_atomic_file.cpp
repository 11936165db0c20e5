#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include <engram/common/atomic_file.hpp>
#include <engram/common/error.hpp>

namespace {

namespace fs = std::filesystem;

fs::path fresh_directory(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("engram-atomic-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::vector<std::uint8_t> read_all(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t entries(const fs::path& dir) {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

} // namespace

TEST(atomic_file, pieces_and_a_patch_land_only_on_commit) {
    const fs::path dir = fresh_directory("commit");
    const fs::path file = dir / "out.bin";
    {
        std::ofstream(file) << "old";
    }
    engram::atomic_file_writer out(file, "image");
    const std::vector<std::uint8_t> a{1, 2, 3, 4}, b{5, 6}, patch{9, 9};
    out.write(a);
    out.write(b);
    out.write_at(1, patch);
    EXPECT_EQ(read_all(file), (std::vector<std::uint8_t>{'o', 'l', 'd'})); // untouched until commit
    out.commit();
    EXPECT_EQ(read_all(file), (std::vector<std::uint8_t>{1, 9, 9, 4, 5, 6}));
    EXPECT_EQ(entries(dir), 1u); // no temporary file left
    fs::remove_all(dir);
}

TEST(atomic_file, a_writer_dropped_without_commit_leaves_nothing) {
    const fs::path dir = fresh_directory("drop");
    const fs::path file = dir / "out.bin";
    {
        engram::atomic_file_writer out(file, "image");
        const std::vector<std::uint8_t> a{1, 2, 3};
        out.write(a);
        EXPECT_EQ(entries(dir), 1u); // the temporary file
    }
    EXPECT_FALSE(fs::exists(file));
    EXPECT_EQ(entries(dir), 0u);
    fs::remove_all(dir);
}

TEST(atomic_file, a_directory_that_does_not_exist_is_a_file_error) {
    const fs::path file = fs::temp_directory_path() / "engram-no-such-directory" / "out.bin";
    EXPECT_THROW(engram::atomic_file_writer(file, "image"), engram::file_error);
}
