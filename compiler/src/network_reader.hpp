#pragma once

// Private pieces of the network loader, shared by its translation units.

#include <string>

#include <llvm/ADT/StringMap.h>

#include <engram/common/json_input.hpp>
#include <engram/compiler/network.hpp>
#include <engram/compiler/network_loader.hpp>

namespace engram::compiler::detail {

struct network_reader {
    const json_input::document& doc;
    const network_load_options& options;
    network net;
    // Name -> index into net.populations / net.rules.
    llvm::StringMap<std::size_t> population_index;
    llvm::StringMap<std::size_t> rule_index;

    const std::string& source() const { return doc.source(); }

    // Name rules: an identifier ([A-Za-z_][A-Za-z0-9_]*, at most 64 characters).
    std::string read_name(const json_input::value_ref& v) const;
    // Resolves a population name (unknown_reference_error with a suggestion).
    std::size_t population_ref(const json_input::value_ref& v) const;

    void read_population(const json_input::value_ref& v);
    void read_projection(const json_input::value_ref& v, std::size_t index);
    void read_rule(const json_input::value_ref& v);
    void read_recording(const json_input::value_ref& v);
};

// A value_spec (constant, distribution or list) at v; what names the quantity
// in messages.
value_spec read_value_spec(const json_input::value_ref& v, const std::string& what);

// A positive time constant or duration in ms.
double read_positive(const json_input::value_ref& v);

} // namespace engram::compiler::detail
