#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include <engram/common/atomic_file.hpp>
#include <engram/common/error.hpp>

namespace engram {

namespace {
std::string error_text(int err) {
    return std::strerror(err);
}
} // namespace

void write_file_atomic(const std::filesystem::path& file, std::span<const std::uint8_t> bytes, std::string_view what) {
    namespace fs = std::filesystem;
    const std::string name = file.string();
    const std::string thing(what);
    if (name == "-") {
        if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size() || std::fflush(stdout) != 0) {
            throw file_error("-", "cannot write the " + thing + " to standard output");
        }
        return;
    }
    if (!file.has_filename()) {
        throw file_error(name, "cannot write the " + thing + ": not a file name");
    }
    const fs::path directory = file.has_parent_path() ? file.parent_path() : fs::path(".");
    static std::atomic<unsigned> counter{0};
    const fs::path temp = directory / ("." + file.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(counter++));
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        throw file_error(name, "cannot create a temporary file in " + directory.string() + ": " + error_text(errno));
    }
    auto fail = [&](const std::string& message, int err, bool open) {
        if (open) {
            ::close(fd);
        }
        ::unlink(temp.c_str());
        throw file_error(name, message + ": " + error_text(err));
    };
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ::ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail("cannot write the " + thing, errno, true);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        fail("cannot flush the " + thing + " to disk", errno, true);
    }
    if (::close(fd) != 0) {
        fail("cannot write the " + thing, errno, false);
    }
    if (::rename(temp.c_str(), file.c_str()) != 0) {
        fail("cannot replace the file", errno, false);
    }
    // Make the rename itself durable (best effort: some file systems refuse).
    const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        (void)::fsync(dir_fd);
        ::close(dir_fd);
    }
}

} // namespace engram
