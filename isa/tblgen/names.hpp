// Identifier rules and case conversions for engram-tblgen.
#pragma once

#include <string>
#include <string_view>

namespace engram::tblgen {

/// SynapseWord -> synapse_word, AERPacket -> aer_packet.
std::string snake_case(std::string_view camel);

/// src_core -> SrcCore, x0 -> X0.
std::string camel_case(std::string_view snake);

/// [A-Z][A-Za-z0-9]*: the form of format, enum and constant record names.
bool is_camel_identifier(std::string_view name);

/// [a-z][a-z0-9]*(_[a-z0-9]+)*: the form of field and enumerator names.
bool is_snake_identifier(std::string_view name);

/// A C++ keyword or alternative token (or a macro every TU may see).
bool is_cpp_keyword(std::string_view name);

/// A SystemVerilog (IEEE 1800-2017) keyword.
bool is_sv_keyword(std::string_view name);

}  // namespace engram::tblgen
