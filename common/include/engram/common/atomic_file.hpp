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

inline void write_text_file(const std::filesystem::path& file, std::string_view text,
                            std::string_view what = "file") {
    write_file_atomic(file, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, what);
}

} // namespace engram
