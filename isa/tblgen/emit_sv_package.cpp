// emit_sv_package: the SystemVerilog view of the ISA (engram_isa_pkg.sv),
// written to read like the hand-written ibex_pkg.sv.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <llvm/Support/raw_ostream.h>

#include "emitters.hpp"
#include "isa_model.hpp"
#include "names.hpp"

namespace engram::tblgen {
namespace {

std::string pad(std::string text, std::size_t width) {
  text.resize(std::max(text.size(), width), ' ');
  return text;
}

// "logic", "logic [5:0]", "logic signed [7:0]".
std::string logic_type(unsigned width, bool is_signed) {
  std::string type = is_signed ? "logic signed" : "logic";
  if (width > 1 || is_signed) {
    type += " [" + std::to_string(width - 1) + ":0]";
  }
  return type;
}

// A banner like ibex_pkg.sv's section headers.
void banner(llvm::raw_ostream& os, const std::string& title) {
  const std::string rule(title.size() + 6, '/');
  os << "  " << rule << "\n  // " << title << " //\n  " << rule << "\n\n";
}

// One line of an aligned block: the code, then its comment.
struct line {
  std::string code;
  std::string comment;
};

void emit_lines(llvm::raw_ostream& os, const std::vector<line>& lines, const std::string& indent) {
  std::size_t width = 0;
  for (const line& l : lines) {
    width = std::max(width, l.code.size());
  }
  for (const line& l : lines) {
    os << indent << (l.comment.empty() ? l.code : pad(l.code, width) + "  // " + l.comment)
       << "\n";
  }
}

class sv_emitter {
 public:
  sv_emitter(llvm::raw_ostream& os, const isa& model) : os_(os), isa_(model) {}

  void emit() {
    os_ << "// generated from " << isa_.source << " by engram-tblgen, do not edit\n"
        << "//\n"
        << "// Engram ISA package: the constants, enums and packed structs of every\n"
        << "// bit-level format of the virtual chip (see docs/isa.md). Struct fields are\n"
        << "// listed MSB first; bit 0 of a format is the LSB of its first field.\n\n"
        << "package engram_isa_pkg;\n\n"
        << "  // A module uses only some of these parameters; Verilator's -Wall would\n"
        << "  // flag the others in every module that imports the package.\n"
        << "  // verilator lint_off UNUSEDPARAM\n\n";
    emit_constants();
    emit_enums();
    emit_formats();
    os_ << "  // verilator lint_on UNUSEDPARAM\n\n"
        << "endpackage\n";
  }

 private:
  void emit_constants() {
    banner(os_, "Constants");
    for (const constant& c : isa_.constants) {
      os_ << "  // " << c.doc << "\n"
          << "  localparam int" << (c.value >= 0 ? " unsigned " : " ") << c.name << " = "
          << c.value << ";\n";
    }
    os_ << "\n";
  }

  void emit_enums() {
    banner(os_, "Enums");
    for (const enum_type& e : isa_.enums) {
      os_ << "  // " << e.doc << "\n"
          << "  typedef enum " << logic_type(e.width, false) << " {\n";
      std::size_t name_width = 0;
      for (const enum_value& v : e.values) {
        name_width = std::max(name_width, v.sv_name.size());
      }
      std::vector<line> lines;
      for (const enum_value& v : e.values) {
        const bool last = &v == &e.values.back();
        lines.push_back({pad(v.sv_name, name_width) + " = " + std::to_string(e.width) + "'d" +
                             std::to_string(v.value) + (last ? "" : ","),
                         v.mnemonic + ": " + v.doc});
      }
      emit_lines(os_, lines, "    ");
      os_ << "  } " << e.sv_name << ";\n\n";
    }
  }

  void emit_formats() {
    banner(os_, "Formats");
    for (const format& f : isa_.formats) {
      os_ << "  // " << f.doc << "\n";
      std::vector<std::pair<std::string, unsigned>> widths{{f.name + "Width", f.width}};
      for (const field& fd : f.fields) {
        widths.emplace_back(f.name + camel_case(fd.name) + "Width", fd.width);
      }
      std::size_t name_width = 0;
      for (const auto& [name, bits] : widths) {
        name_width = std::max(name_width, name.size());
      }
      std::vector<line> params;
      for (const auto& [name, bits] : widths) {
        params.push_back(
            {"localparam int unsigned " + pad(name, name_width) + " = " + std::to_string(bits) + ";",
             ""});
      }
      emit_lines(os_, params, "  ");

      os_ << "  typedef struct packed {\n";
      std::vector<line> members;
      if (f.used_bits() < f.width) {
        members.push_back({logic_type(f.width - f.used_bits(), false) + " unused;",
                           bit_range(f.width - 1, f.used_bits()) + " unused, zero"});
      }
      // Align the member names after the longest type.
      std::size_t type_width = 0;
      for (const field& fd : f.fields) {
        type_width = std::max(type_width, member_type(fd).size());
      }
      if (!members.empty()) {
        type_width = std::max(type_width, logic_type(f.width - f.used_bits(), false).size());
        members.front().code = pad(logic_type(f.width - f.used_bits(), false), type_width) +
                               " unused;";
      }
      for (auto it = f.fields.rbegin(); it != f.fields.rend(); ++it) {
        members.push_back({pad(member_type(*it), type_width) + " " + it->name + ";",
                           bit_range(it->msb(), it->lsb) + " " + it->doc});
      }
      emit_lines(os_, members, "    ");
      os_ << "  } " << f.sv_name << ";\n\n";
    }
  }

  std::string member_type(const field& fd) const {
    if (fd.enum_index) {
      return isa_.enums[*fd.enum_index].sv_name;
    }
    return logic_type(fd.width, fd.is_signed);
  }

  llvm::raw_ostream& os_;
  const isa& isa_;
};

}  // namespace

bool emit_sv_package(llvm::raw_ostream& os, const llvm::RecordKeeper& records) {
  const isa model = parse_isa(records);
  sv_emitter(os, model).emit();
  return false;
}

}  // namespace engram::tblgen
