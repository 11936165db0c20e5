// The ISA as plain data: what engram-tblgen reads from the records, verified.
// Both generators call parse_isa() and emit from the result, so they agree on
// every name, position and range.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class RecordKeeper;
}  // namespace llvm

namespace engram::tblgen {

struct constant {
  std::string name;      ///< record name, CamelCase (the SV localparam)
  std::string cpp_name;  ///< snake_case
  std::int64_t value = 0;
  std::string doc;
};

struct enum_value {
  std::string name;     ///< C++ enumerator, snake_case
  std::string sv_name;  ///< SV enumerator: enum name + CamelCase value name
  std::int64_t value = 0;
  std::string mnemonic;
  std::string doc;
};

struct enum_type {
  std::string name;      ///< record name, CamelCase
  std::string cpp_name;  ///< snake_case
  std::string sv_name;   ///< snake_case + "_e"
  unsigned width = 0;
  std::string doc;
  std::vector<enum_value> values;
};

struct field {
  std::string name;  ///< snake_case, also the SV member name
  unsigned lsb = 0;
  unsigned width = 0;
  bool is_signed = false;
  std::optional<std::size_t> enum_index;  ///< into isa::enums, for enum fields
  std::int64_t min = 0;  ///< smallest value pack() accepts
  std::int64_t max = 0;  ///< largest value pack() accepts
  std::string doc;

  unsigned msb() const { return lsb + width - 1; }
};

struct format {
  std::string name;      ///< record name, CamelCase
  std::string cpp_name;  ///< snake_case, the C++ struct
  std::string sv_name;   ///< snake_case + "_t"
  unsigned width = 0;
  std::string doc;
  std::vector<field> fields;

  unsigned used_bits() const { return fields.empty() ? 0 : fields.back().msb() + 1; }
  unsigned words() const { return (width + 63) / 64; }
};

struct isa {
  std::string source;  ///< file name of the top-level .td, e.g. "engram.td"
  std::vector<constant> constants;
  std::vector<enum_type> enums;
  std::vector<format> formats;
};

/// Reads every Constant, Enum and Format record (in definition order) and
/// verifies them. Any error ends the program through llvm::PrintFatalError
/// at the offending record's location in the .td.
isa parse_isa(const llvm::RecordKeeper& records);

/// "[7:0]" or "[26]".
std::string bit_range(unsigned msb, unsigned lsb);

}  // namespace engram::tblgen
