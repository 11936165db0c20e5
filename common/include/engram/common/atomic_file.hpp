#pragma once

// Writing output files so that nothing is ever half-written: the bytes go to
// a temporary file in the target's directory, which is flushed to disk and
// then renamed over the target. On any error the target is untouched, the
// temporary file is removed, and a file_error says what failed.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace engram {

// "-" writes to standard output. what names the content in messages
// ("image", "report").
void write_file_atomic(const std::filesystem::path& file, std::span<const std::uint8_t> bytes,
                       std::string_view what = "file");

// The same guarantees for output written in pieces (a file too large to
// hold twice in memory): write() appends, write_at() patches bytes already
// written (a header's length or checksum), commit() flushes and renames.
// A writer destroyed without commit() removes its temporary file. Not for
// standard output.
class atomic_file_writer {
public:
    atomic_file_writer(const std::filesystem::path& file, std::string_view what = "file");
    ~atomic_file_writer();
    atomic_file_writer(const atomic_file_writer&) = delete;
    atomic_file_writer& operator=(const atomic_file_writer&) = delete;

    void write(std::span<const std::uint8_t> bytes);
    void write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes);
    void commit();

private:
    [[noreturn]] void fail(const std::string& message, int err);

    std::filesystem::path file_;
    std::filesystem::path temp_;
    std::string what_;
    int fd_ = -1;
};

inline void write_text_file(const std::filesystem::path& file, std::string_view text,
                            std::string_view what = "file") {
    write_file_atomic(file, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, what);
}

} // namespace engram
