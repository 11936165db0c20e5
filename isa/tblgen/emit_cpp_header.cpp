// emit_cpp_header: the C++ view of the ISA (include/engram/isa/formats.hpp).
#include <algorithm>
#include <cstdint>
#include <string>

#include <llvm/Support/raw_ostream.h>

#include "emitters.hpp"
#include "isa_model.hpp"

namespace engram::tblgen {
namespace {

std::string quoted(const std::string& text) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << '"';
  os.write_escaped(text);
  os << '"';
  return out;
}

std::string int_literal(std::int64_t value) {
  if (value == INT64_MIN) {
    return "(-9223372036854775807 - 1)";
  }
  return std::to_string(value);
}

std::string pad(std::string text, std::size_t width) {
  text.resize(std::max(text.size(), width), ' ');
  return text;
}

class cpp_emitter {
 public:
  cpp_emitter(llvm::raw_ostream& os, const isa& model) : os_(os), isa_(model) {}

  void emit() {
    emit_prologue();
    emit_constants();
    for (const enum_type& e : isa_.enums) {
      emit_enum(e);
    }
    emit_enum_list();
    for (const format& f : isa_.formats) {
      emit_struct(f);
      emit_tables(f);
      emit_pack(f);
      emit_unpack(f);
      emit_values(f);
      emit_traits(f);
    }
    emit_format_list();
    os_ << "}  // namespace engram::isa\n";
  }

 private:
  std::string member_type(const field& fd) const {
    if (fd.enum_index) {
      return isa_.enums[*fd.enum_index].cpp_name;
    }
    const bool narrow = fd.width <= 32;
    if (fd.is_signed) {
      return narrow ? "std::int32_t" : "std::int64_t";
    }
    return narrow ? "std::uint32_t" : "std::uint64_t";
  }

  std::string default_value(const field& fd) const {
    if (!fd.enum_index) {
      return "0";
    }
    const enum_type& e = isa_.enums[*fd.enum_index];
    const auto first = std::min_element(
        e.values.begin(), e.values.end(),
        [](const enum_value& a, const enum_value& b) { return a.value < b.value; });
    return e.cpp_name + "::" + first->name;
  }

  static void section(llvm::raw_ostream& os, const char* title) {
    os << "// " << std::string(75, '-') << "\n// " << title << "\n// " << std::string(75, '-')
       << "\n\n";
  }

  void emit_prologue() {
    os_ << "// generated from " << isa_.source << " by engram-tblgen, do not edit\n"
        << "//\n"
        << "// The Engram ISA: every bit-level format of the virtual chip, with its enums\n"
        << "// and constants (see docs/isa.md). A format packs LSB-first into\n"
        << "// std::array<std::uint64_t, N>: bit i is bit i % 64 of word i / 64.\n"
        << "// pack() throws field_out_of_range (a std::logic_error) for a value its field\n"
        << "// cannot hold; unpack_*() never throws and sign-extends signed fields.\n"
        << "#pragma once\n\n"
        << "#include <array>\n#include <cstddef>\n#include <cstdint>\n#include <optional>\n"
        << "#include <string_view>\n#include <tuple>\n\n"
        << "#include <engram/isa/bits.hpp>\n\n"
        << "namespace engram::isa {\n\n";
  }

  void emit_constants() {
    section(os_, "Constants");
    for (const constant& c : isa_.constants) {
      os_ << "/// " << c.doc << "\n";
      os_ << "inline constexpr int " << c.cpp_name << " = " << c.value << ";\n";
    }
    os_ << "\n";
  }

  void emit_enum(const enum_type& e) {
    if (&e == &isa_.enums.front()) {
      section(os_, "Enums");
    }
    const std::string& t = e.cpp_name;
    os_ << "/// " << e.doc << " (" << e.width << (e.width == 1 ? " bit" : " bits") << ").\n";
    os_ << "enum class " << t << " : std::uint8_t {\n";
    std::size_t width = 0;
    for (const enum_value& v : e.values) {
      width = std::max(width, v.name.size() + std::to_string(v.value).size() + 4);
    }
    for (const enum_value& v : e.values) {
      os_ << "  " << pad(v.name + " = " + std::to_string(v.value) + ",", width) << "  ///< "
          << v.mnemonic << ": " << v.doc << "\n";
    }
    os_ << "};\n\n";

    os_ << "inline constexpr std::array<enum_value_info<" << t << ">, " << e.values.size() << "> "
        << t << "_values{{\n";
    for (const enum_value& v : e.values) {
      os_ << "    {" << t << "::" << v.name << ", " << quoted(v.name) << ", " << quoted(v.mnemonic)
          << ", " << quoted(v.doc) << "},\n";
    }
    os_ << "}};\n\n";

    std::string mnemonics;
    for (const enum_value& v : e.values) {
      mnemonics += (mnemonics.empty() ? "" : ", ") + quoted(v.mnemonic);
    }
    os_ << "/// The mnemonic of `value` (" << mnemonics << "), or \"\" if it is no " << t
        << ".\n";
    os_ << "constexpr std::string_view to_string(" << t << " value) noexcept {\n"
        << "  return detail::mnemonic_of(" << t << "_values, value);\n}\n\n";
    os_ << "/// Whether `value` is one of the enumerators of " << t << ".\n";
    os_ << "constexpr bool is_valid(" << t << " value) noexcept {\n"
        << "  return detail::is_listed(" << t << "_values, value);\n}\n\n";
    os_ << "/// The " << t << " whose mnemonic is `mnemonic`, if any.\n";
    os_ << "constexpr std::optional<" << t << "> parse_" << t
        << "(std::string_view mnemonic) noexcept {\n"
        << "  return detail::parse_mnemonic(" << t << "_values, mnemonic);\n}\n\n";
    os_ << "template <>\nstruct enum_traits<" << t << "> {\n"
        << "  static constexpr std::string_view name = " << quoted(t) << ";\n"
        << "  static constexpr unsigned width = " << e.width << ";\n"
        << "  static constexpr const auto& values = " << t << "_values;\n"
        << "  static constexpr std::optional<" << t
        << "> parse(std::string_view mnemonic) noexcept {\n"
        << "    return parse_" << t << "(mnemonic);\n  }\n};\n\n";
  }

  void emit_enum_list() {
    os_ << "/// Every ISA enum, for generic code and typed tests.\nusing all_enum_types = std::tuple<";
    for (const enum_type& e : isa_.enums) {
      os_ << (&e == &isa_.enums.front() ? "" : ", ") << e.cpp_name;
    }
    os_ << ">;\n\n";
  }

  void emit_struct(const format& f) {
    if (&f == &isa_.formats.front()) {
      section(os_, "Formats");
    }
    os_ << "/// " << f.doc << " (" << f.width << " bits).\n";
    os_ << "struct " << f.cpp_name << " {\n";
    std::size_t width = 0;
    for (const field& fd : f.fields) {
      width = std::max(width, member_type(fd).size() + fd.name.size() + default_value(fd).size() + 5);
    }
    for (const field& fd : f.fields) {
      os_ << "  " << pad(member_type(fd) + " " + fd.name + " = " + default_value(fd) + ";", width)
          << "  ///< " << bit_range(fd.msb(), fd.lsb) << " " << fd.doc << "\n";
    }
    os_ << "\n  static constexpr unsigned width = " << f.width << ";\n"
        << "  using packed_type = std::array<std::uint64_t, " << f.words() << ">;\n\n"
        << "  bool operator==(const " << f.cpp_name << "&) const = default;\n};\n\n";
  }

  void emit_tables(const format& f) {
    const std::string& t = f.cpp_name;
    os_ << "inline constexpr std::array<field_info, " << f.fields.size() << "> " << t
        << "_fields{{\n"
        << "    // name, lsb, width, is_signed, min, max, doc, enum_type\n";
    for (const field& fd : f.fields) {
      os_ << "    {" << quoted(fd.name) << ", " << fd.lsb << ", " << fd.width << ", "
          << (fd.is_signed ? "true" : "false") << ", " << int_literal(fd.min) << ", "
          << int_literal(fd.max) << ", " << quoted(fd.doc) << ", "
          << quoted(fd.enum_index ? isa_.enums[*fd.enum_index].cpp_name : "") << "},\n";
    }
    os_ << "}};\n\n";
    os_ << "inline constexpr format_info " << t << "_format{" << quoted(t) << ", " << f.width
        << ", " << t << "_fields,\n    " << quoted(f.doc) << "};\n\n";
  }

  void emit_pack(const format& f) {
    const std::string& t = f.cpp_name;
    os_ << "/// Packs `x`; throws field_out_of_range if a field cannot hold `x`'s value.\n"
        << "inline " << t << "::packed_type pack(const " << t << "& x) {\n"
        << "  " << t << "::packed_type words{};\n";
    emit_field_lines(f, [&](std::size_t i) {
      return "detail::put_field(words, " + t + "_format, " + std::to_string(i) + ", x." +
             f.fields[i].name + ");";
    });
    os_ << "  return words;\n}\n\n";
  }

  // One line per field, the field's bits in an aligned comment.
  template <class Line>
  void emit_field_lines(const format& f, Line make_line) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < f.fields.size(); ++i) {
      width = std::max(width, make_line(i).size());
    }
    for (std::size_t i = 0; i < f.fields.size(); ++i) {
      const field& fd = f.fields[i];
      os_ << "  " << pad(make_line(i), width) << "  // " << bit_range(fd.msb(), fd.lsb) << "\n";
    }
  }

  void emit_unpack(const format& f) {
    const std::string& t = f.cpp_name;
    os_ << "/// Unpacks `words`: signed fields are sign-extended, unused bits ignored.\n"
        << "inline " << t << " unpack_" << t << "(const " << t
        << "::packed_type& words) noexcept {\n"
        << "  " << t << " x;\n";
    emit_field_lines(f, [&](std::size_t i) {
      const field& fd = f.fields[i];
      return "x." + fd.name + " = detail::get_field<" + member_type(fd) + ">(words, " + t +
             "_fields[" + std::to_string(i) + "]);";
    });
    os_ << "  return x;\n}\n\n";
  }

  void emit_values(const format& f) {
    const std::string& t = f.cpp_name;
    const std::string array = "std::array<std::int64_t, " + std::to_string(f.fields.size()) + ">";
    os_ << "/// The fields of `x` as integers, in field order (LSB first).\n"
        << "inline " << array << " to_values(const " << t << "& x) noexcept {\n"
        << "  return {\n";
    for (const field& fd : f.fields) {
      os_ << "      static_cast<std::int64_t>(x." << fd.name << "),\n";
    }
    os_ << "  };\n}\n\n";
    os_ << "/// The " << t << " with `values` in field order; not range-checked (pack() checks).\n"
        << "inline " << t << " " << t << "_from_values(const " << array
        << "& values) noexcept {\n"
        << "  " << t << " x;\n";
    for (std::size_t i = 0; i < f.fields.size(); ++i) {
      const field& fd = f.fields[i];
      os_ << "  x." << fd.name << " = static_cast<" << member_type(fd) << ">(values[" << i
          << "]);\n";
    }
    os_ << "  return x;\n}\n\n";
  }

  void emit_traits(const format& f) {
    const std::string& t = f.cpp_name;
    os_ << "template <>\nstruct format_traits<" << t << "> {\n"
        << "  using values_type = std::array<std::int64_t, " << f.fields.size() << ">;\n"
        << "  static constexpr const format_info& info = " << t << "_format;\n"
        << "  static " << t << " unpack(const " << t << "::packed_type& words) noexcept {\n"
        << "    return unpack_" << t << "(words);\n  }\n"
        << "  static " << t << " from_values(const values_type& values) noexcept {\n"
        << "    return " << t << "_from_values(values);\n  }\n};\n\n";
  }

  void emit_format_list() {
    section(os_, "All formats");
    os_ << "inline constexpr std::array<format_info, " << isa_.formats.size()
        << "> all_formats{{\n";
    for (const format& f : isa_.formats) {
      os_ << "    " << f.cpp_name << "_format,\n";
    }
    os_ << "}};\n\n";
    os_ << "/// Every format struct, for generic code and typed tests.\n"
        << "using all_format_types = std::tuple<\n";
    for (const format& f : isa_.formats) {
      os_ << "    " << f.cpp_name << (&f == &isa_.formats.back() ? ">;\n\n" : ",\n");
    }
    os_ << "/// The format called `name` (\"synapse_word\"), or nullptr.\n"
        << "constexpr const format_info* find_format(std::string_view name) noexcept {\n"
        << "  for (const format_info& f : all_formats) {\n"
        << "    if (f.name == name) {\n      return &f;\n    }\n  }\n"
        << "  return nullptr;\n}\n\n";
  }

  llvm::raw_ostream& os_;
  const isa& isa_;
};

}  // namespace

bool emit_cpp_header(llvm::raw_ostream& os, const llvm::RecordKeeper& records) {
  const isa model = parse_isa(records);
  cpp_emitter(os, model).emit();
  return false;
}

}  // namespace engram::tblgen
