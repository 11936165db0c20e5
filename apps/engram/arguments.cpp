#include <algorithm>

#include <engram/common/text.hpp>

#include "cli.hpp"

namespace engram::cli {

arguments::arguments(std::span<const std::string_view> args, std::vector<std::string_view> flags,
                     std::vector<std::string_view> options, std::string_view command) {
    auto known = [](const std::vector<std::string_view>& list, std::string_view name) {
        return std::find(list.begin(), list.end(), name) != list.end();
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg.size() > 2 && arg.substr(0, 2) == "--") {
            std::string_view name = arg;
            std::optional<std::string_view> value;
            if (const auto eq = arg.find('='); eq != std::string_view::npos) {
                name = arg.substr(0, eq);
                value = arg.substr(eq + 1);
            }
            if (known(flags, name)) {
                if (value) {
                    throw usage_error("engram " + std::string(command) + ": option " + std::string(name) +
                                      " takes no value");
                }
                flags_set_.emplace_back(name);
                continue;
            }
            if (known(options, name)) {
                if (!value) {
                    if (i + 1 >= args.size()) {
                        throw usage_error("engram " + std::string(command) + ": option " + std::string(name) +
                                          " needs a value");
                    }
                    value = args[++i];
                }
                for (const auto& [n, v]: options_set_) {
                    if (n == name) {
                        throw usage_error("engram " + std::string(command) + ": option " + std::string(name) +
                                          " is given twice");
                    }
                }
                options_set_.emplace_back(std::string(name), std::string(*value));
                continue;
            }
            std::vector<std::string_view> all = flags;
            all.insert(all.end(), options.begin(), options.end());
            const std::string suggestion = closest_match(name, all);
            throw usage_error("engram " + std::string(command) + ": unknown option " + std::string(name) +
                              (suggestion.empty() ? std::string() : "; did you mean " + suggestion + "?") +
                              " (see engram " + std::string(command) + " --help)");
        }
        positional_.emplace_back(arg);
    }
}

bool arguments::flag(std::string_view name) const {
    return std::find(flags_set_.begin(), flags_set_.end(), name) != flags_set_.end();
}

std::optional<std::string> arguments::option(std::string_view name) const {
    for (const auto& [n, v]: options_set_) {
        if (n == name) {
            return v;
        }
    }
    return std::nullopt;
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::string item;
    int depth = 0;
    for (char c: text) {
        if (c == '[') {
            ++depth;
        } else if (c == ']') {
            --depth;
        }
        if (c == ',' && depth == 0) {
            out.push_back(item);
            item.clear();
        } else {
            item += c;
        }
    }
    if (!item.empty()) {
        out.push_back(item);
    }
    return out;
}

} // namespace engram::cli
