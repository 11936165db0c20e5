// libFuzzer target for the chip-image reader. Every input must either decode
// into a valid image or raise an engram::user_error (an image_error); anything
// else (a logic_error, bad_alloc, a crash, a sanitizer report) is a bug. An
// image that decodes must serialize back to the same bytes, and print.
// Build and run: scripts/fuzz.sh image [seconds]

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <sstream>
#include <vector>

#include <engram/common/error.hpp>
#include <engram/isa/chip_image.hpp>
#include <engram/isa/image_print.hpp>

namespace {

namespace isa = engram::isa;

void check(std::span<const std::uint8_t> bytes) {
    try {
        const isa::chip_image image = isa::deserialize_image(bytes, "fuzz.engram");
        // The encoding is canonical: a decoded image has exactly these bytes.
        if (isa::serialize_image(image) != std::vector<std::uint8_t>(bytes.begin(), bytes.end())) {
            std::abort();
        }
        std::ostringstream out;
        isa::print_image(out, image, {.synapses = true, .routes = true, .microcode = true});
        if (image.cores.size() > 0) {
            isa::print_image(out, image, {.core = 0});
        }
    }
    catch (const engram::user_error&) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    check(bytes);
    // Mutations almost never keep the checksum right, so the payload is also
    // read with the header's length and CRC-32 recomputed: that reaches the
    // section parser and validate_image.
    if (size >= isa::image_header_size) {
        std::vector<std::uint8_t> fixed(bytes.begin(), bytes.end());
        const std::uint64_t length = size - isa::image_header_size;
        const std::uint32_t crc = isa::crc32(std::span(fixed).subspan(isa::image_header_size));
        for (std::size_t i = 0; i < 8; ++i) {
            fixed[16 + i] = static_cast<std::uint8_t>(length >> (8 * i));
        }
        for (std::size_t i = 0; i < 4; ++i) {
            fixed[24 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
        }
        check(fixed);
    }
    return 0;
}
