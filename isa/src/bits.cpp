#include <engram/isa/bits.hpp>

#include <string>

namespace engram::isa {
namespace {

std::string describe(std::string_view format_name, const field_info& field, std::int64_t value) {
  std::string message = std::string(format_name) + "." + std::string(field.name) + " = " +
                        std::to_string(value);
  if (!field.enum_type.empty()) {
    return message + " is not a " + std::string(field.enum_type);
  }
  return message + " does not fit the " + std::to_string(field.width) + "-bit " +
         (field.is_signed ? "signed" : "unsigned") + " field (" + std::to_string(field.min) +
         ".." + std::to_string(field.max) + ")";
}

}  // namespace

field_out_of_range::field_out_of_range(std::string_view format_name, const field_info& info,
                                       std::int64_t bad_value)
    : std::logic_error(describe(format_name, info, bad_value)),
      format(format_name),
      field(info.name),
      value(bad_value),
      min(info.min),
      max(info.max) {}

}  // namespace engram::isa
