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
    if (file.string() == "-") {
        if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size() || std::fflush(stdout) != 0) {
            throw file_error("-", "cannot write the " + std::string(what) + " to standard output");
        }
        return;
    }
    atomic_file_writer out(file, what);
    out.write(bytes);
    out.commit();
}

atomic_file_writer::atomic_file_writer(const std::filesystem::path& file, std::string_view what)
    : file_(file), what_(what) {
    namespace fs = std::filesystem;
    const std::string name = file.string();
    if (!file.has_filename()) {
        throw file_error(name, "cannot write the " + what_ + ": not a file name");
    }
    const fs::path directory = file.has_parent_path() ? file.parent_path() : fs::path(".");
    static std::atomic<unsigned> counter{0};
    temp_ = directory / ("." + file.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                         std::to_string(counter++));
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0) {
        throw file_error(name, "cannot create a temporary file in " + directory.string() + ": " + error_text(errno));
    }
}

atomic_file_writer::~atomic_file_writer() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
    if (!temp_.empty()) {
        ::unlink(temp_.c_str());
    }
}

void atomic_file_writer::fail(const std::string& message, int err) {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    ::unlink(temp_.c_str());
    temp_.clear();
    throw file_error(file_.string(), message + ": " + error_text(err));
}

void atomic_file_writer::write(std::span<const std::uint8_t> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ::ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail("cannot write the " + what_, errno);
        }
        done += static_cast<std::size_t>(n);
    }
}

void atomic_file_writer::write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ::ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<::off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail("cannot write the " + what_, errno);
        }
        done += static_cast<std::size_t>(n);
    }
}

void atomic_file_writer::commit() {
    namespace fs = std::filesystem;
    if (::fsync(fd_) != 0) {
        fail("cannot flush the " + what_ + " to disk", errno);
    }
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) {
        fail("cannot write the " + what_, errno);
    }
    if (::rename(temp_.c_str(), file_.c_str()) != 0) {
        fail("cannot replace the file", errno);
    }
    temp_.clear();
    // Make the rename itself durable (best effort: some file systems refuse).
    const fs::path directory = file_.has_parent_path() ? file_.parent_path() : fs::path(".");
    const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        (void)::fsync(dir_fd);
        ::close(dir_fd);
    }
}

} // namespace engram
