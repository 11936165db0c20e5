#include <array>

#include <engram/compiler/chip.hpp>

namespace engram::compiler {

namespace detail {
struct preset_entry {
    std::string_view name;
    std::string_view text;
};
// Defined in the generated chip_presets_data.cpp (build tree).
extern const std::array<preset_entry, ENGRAM_PRESET_COUNT> chip_presets;
} // namespace detail

std::vector<std::string_view> chip_preset_names() {
    std::vector<std::string_view> names;
    for (const auto& p: detail::chip_presets) {
        names.push_back(p.name);
    }
    return names;
}

std::optional<std::string_view> chip_preset_text(std::string_view name) {
    for (const auto& p: detail::chip_presets) {
        if (p.name == name) {
            return p.text;
        }
    }
    return std::nullopt;
}

} // namespace engram::compiler
