#include "isa_model.hpp"

#include <algorithm>
#include <map>
#include <string_view>

#include <llvm/ADT/Twine.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/SourceMgr.h>
#include <llvm/TableGen/Error.h>
#include <llvm/TableGen/Record.h>

#include "names.hpp"

namespace engram::tblgen {
namespace {

using llvm::Record;
using llvm::SMLoc;
using llvm::Twine;

constexpr unsigned max_format_width = 4096;
constexpr unsigned max_enum_width = 8;  // the C++ enums are std::uint8_t

[[noreturn]] void fail(SMLoc loc, const Twine& message) { llvm::PrintFatalError(loc, message); }

SMLoc loc_of(const Record& record) { return record.getLoc().front(); }

// Records of a class in definition order (the RecordKeeper sorts by name).
std::vector<const Record*> defs_of(const llvm::RecordKeeper& records, llvm::StringRef cls) {
  std::vector<const Record*> defs;
  for (const Record* record : records.getAllDerivedDefinitions(cls)) {
    defs.push_back(record);
  }
  std::sort(defs.begin(), defs.end(),
            [](const Record* a, const Record* b) { return a->getID() < b->getID(); });
  return defs;
}

// Where an element of a list inside `owner` was written. LLVM 14 gives an
// anonymous record (`Field<"weight", ...>` in a list) the location of its
// class, not of its use; so find the `<"name"` that starts its template
// arguments in the text of `owner`'s def (the `occurrence`-th one, for
// duplicates), and fall back to the def itself.
SMLoc locate(const Record& owner, const Record& item, std::string_view name,
             unsigned occurrence) {
  if (!item.isAnonymous()) {
    return loc_of(item);
  }
  const SMLoc start = loc_of(owner);
  const unsigned buffer = llvm::SrcMgr.FindBufferContainingLoc(start);
  if (buffer == 0) {
    return start;
  }
  const char* end = llvm::SrcMgr.getMemoryBuffer(buffer)->getBufferEnd();
  std::string_view text(start.getPointer(), static_cast<std::size_t>(end - start.getPointer()));
  text = text.substr(0, text.find("\ndef "));  // the def ends at the next one
  const std::string quoted = "\"" + std::string(name) + "\"";
  unsigned seen = 0;
  for (std::size_t pos = text.find(quoted); pos != std::string_view::npos;
       pos = text.find(quoted, pos + 1)) {
    const std::size_t before = text.find_last_not_of(" \t\r\n", pos == 0 ? 0 : pos - 1);
    if (pos > 0 && before != std::string_view::npos && text[before] == '<') {
      if (seen++ == occurrence) {
        return SMLoc::getFromPointer(text.data() + pos);
      }
    }
  }
  return start;
}

void check_doc(SMLoc loc, const std::string& doc, const Twine& what) {
  if (doc.empty()) {
    fail(loc, what + " needs a doc string");
  }
  for (const char c : doc) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      fail(loc, "the doc string of " + what + " must be one line without control characters");
    }
  }
}

// Field and enumerator names: lower_snake_case, no keyword of the languages
// the name appears in unchanged.
void check_snake_name(SMLoc loc, const std::string& name, const std::string& what, bool in_sv) {
  if (!is_snake_identifier(name)) {
    fail(loc, what + " is not a valid identifier: write it in lower_snake_case ([a-z][a-z0-9_]*)");
  }
  if (is_cpp_keyword(name)) {
    fail(loc, what + " is a C++ keyword");
  }
  if (in_sv && is_sv_keyword(name)) {
    fail(loc, what + " is a SystemVerilog keyword");
  }
}

std::string record_name(const Record& record, const char* kind) {
  if (record.isAnonymous()) {
    fail(loc_of(record), Twine("a ") + kind + " needs a name: write `def Name : " + kind + "<...>`");
  }
  const std::string name = record.getName().str();
  if (!is_camel_identifier(name)) {
    fail(loc_of(record), Twine(kind) + " name '" + name +
                             "' is not a valid identifier: write it in CamelCase ([A-Z][A-Za-z0-9]*)");
  }
  const std::string cpp = snake_case(name);
  if (is_cpp_keyword(cpp)) {
    fail(loc_of(record), Twine(kind) + " name '" + name + "' becomes the C++ keyword '" + cpp + "'");
  }
  return name;
}

// Every generated name lives in one C++ namespace and one SV package.
class name_table {
 public:
  explicit name_table(const char* language) : language_(language) {}

  void claim(SMLoc loc, const std::string& name, const std::string& owner) {
    const auto [it, inserted] = owners_.emplace(name, owner);
    if (!inserted) {
      fail(loc, Twine("duplicate ") + language_ + " name '" + name + "' (of " + owner +
                    "): already used by " + it->second);
    }
  }

 private:
  const char* language_;
  std::map<std::string, std::string> owners_;
};

class parser {
 public:
  explicit parser(const llvm::RecordKeeper& records) : records_(records) {
    // Names the generated header defines besides the per-record ones.
    for (const char* name : {"field_info", "format_info", "enum_value_info", "format_traits",
                             "enum_traits", "field_out_of_range", "bits", "detail", "pack",
                             "to_values", "to_string", "is_valid", "all_formats",
                             "all_format_types", "all_enum_types", "find_format"}) {
      cpp_.claim(SMLoc(), name, "the generated header");
    }
  }

  isa run() {
    isa result;
    result.source = llvm::sys::path::filename(records_.getInputFilename()).str();
    for (const Record* record : defs_of(records_, "Constant")) {
      result.constants.push_back(parse_constant(*record));
    }
    for (const Record* record : defs_of(records_, "Enum")) {
      enum_index_[record] = result.enums.size();
      result.enums.push_back(parse_enum(*record));
    }
    enums_ = &result.enums;
    for (const Record* record : defs_of(records_, "Format")) {
      result.formats.push_back(parse_format(*record));
    }
    return result;
  }

 private:
  constant parse_constant(const Record& record) {
    constant c;
    c.name = record_name(record, "Constant");
    c.cpp_name = snake_case(c.name);
    c.value = record.getValueAsInt("Value");
    c.doc = record.getValueAsString("Doc").str();
    const SMLoc loc = loc_of(record);
    if (c.value < INT32_MIN || c.value > INT32_MAX) {
      fail(loc, "constant " + c.name + " = " + Twine(c.value) + " does not fit a 32-bit int");
    }
    check_doc(loc, c.doc, "constant " + c.name);
    cpp_.claim(loc, c.cpp_name, "constant " + c.name);
    sv_.claim(loc, c.name, "constant " + c.name);
    return c;
  }

  enum_type parse_enum(const Record& record) {
    enum_type e;
    e.name = record_name(record, "Enum");
    e.cpp_name = snake_case(e.name);
    e.sv_name = e.cpp_name + "_e";
    e.doc = record.getValueAsString("Doc").str();
    const SMLoc loc = loc_of(record);
    const std::int64_t width = record.getValueAsInt("Width");
    if (width < 1 || width > max_enum_width) {
      fail(loc, "enum " + e.name + " is " + Twine(width) + " bits wide; an enum is 1 to " +
                    Twine(max_enum_width) + " bits wide");
    }
    e.width = static_cast<unsigned>(width);
    check_doc(loc, e.doc, "enum " + e.name);
    for (const std::string& name : {e.cpp_name, e.cpp_name + "_values", "parse_" + e.cpp_name}) {
      cpp_.claim(loc, name, "enum " + e.name);
    }
    sv_.claim(loc, e.sv_name, "enum " + e.name);

    const std::vector<Record*> values = record.getValueAsListOfDefs("Values");
    if (values.empty()) {
      fail(loc, "enum " + e.name + " has no values");
    }
    const std::int64_t largest = (std::int64_t{1} << e.width) - 1;
    std::map<std::string, unsigned> names_seen;
    for (const Record* value_record : values) {
      enum_value v;
      v.name = value_record->getValueAsString("Name").str();
      v.value = value_record->getValueAsInt("Value");
      v.mnemonic = value_record->getValueAsString("Mnemonic").str();
      v.doc = value_record->getValueAsString("Doc").str();
      v.sv_name = e.name + camel_case(v.name);
      const std::string what = e.name + "." + v.name;
      const SMLoc value_loc = locate(record, *value_record, v.name, names_seen[v.name]++);
      // The SV enumerator is prefixed (ReceptorKindExcitatory): no SV keyword check.
      check_snake_name(value_loc, v.name, "enumerator name '" + v.name + "' of enum " + e.name,
                       false);
      for (const enum_value& other : e.values) {
        if (other.name == v.name) {
          fail(value_loc, "duplicate enumerator '" + v.name + "' in enum " + e.name);
        }
        if (other.value == v.value) {
          fail(value_loc, what + " repeats the value " + Twine(v.value) + " of " + e.name + "." +
                              other.name);
        }
        if (other.mnemonic == v.mnemonic) {
          fail(value_loc, what + " repeats the mnemonic '" + v.mnemonic + "' of " + e.name + "." +
                              other.name);
        }
      }
      if (v.value < 0 || v.value > largest) {
        fail(value_loc, "value " + Twine(v.value) + " of " + what + " does not fit the " +
                            Twine(e.width) + "-bit enum (0.." + Twine(largest) + ")");
      }
      const bool mnemonic_ok =
          !v.mnemonic.empty() && std::all_of(v.mnemonic.begin(), v.mnemonic.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '_';
          });
      if (!mnemonic_ok) {
        fail(value_loc, "mnemonic '" + v.mnemonic + "' of " + what +
                            " must be letters, digits and '_'");
      }
      check_doc(value_loc, v.doc, what);
      sv_.claim(value_loc, v.sv_name, what);
      e.values.push_back(std::move(v));
    }
    return e;
  }

  format parse_format(const Record& record) {
    format f;
    f.name = record_name(record, "Format");
    f.cpp_name = snake_case(f.name);
    f.sv_name = f.cpp_name + "_t";
    f.doc = record.getValueAsString("Doc").str();
    const SMLoc loc = loc_of(record);
    const std::int64_t width = record.getValueAsInt("Width");
    if (width < 1 || width > max_format_width) {
      fail(loc, "format " + f.name + " is " + Twine(width) + " bits wide; a format is 1 to " +
                    Twine(max_format_width) + " bits wide");
    }
    f.width = static_cast<unsigned>(width);
    check_doc(loc, f.doc, "format " + f.name);
    for (const std::string& name : {f.cpp_name, f.cpp_name + "_fields", f.cpp_name + "_format",
                                    "unpack_" + f.cpp_name, f.cpp_name + "_from_values"}) {
      cpp_.claim(loc, name, "format " + f.name);
    }
    sv_.claim(loc, f.sv_name, "format " + f.name);
    sv_.claim(loc, f.name + "Width", "format " + f.name);

    const std::vector<Record*> fields = record.getValueAsListOfDefs("Fields");
    if (fields.empty()) {
      fail(loc, "format " + f.name + " has no fields");
    }
    std::map<std::string, unsigned> names_seen;
    unsigned lsb = 0;
    for (const Record* field_record : fields) {
      field fd = parse_field(record, f, *field_record, names_seen, lsb);
      lsb += fd.width;
      f.fields.push_back(std::move(fd));
    }
    return f;
  }

  field parse_field(const Record& owner, const format& f, const Record& record,
                    std::map<std::string, unsigned>& names_seen, unsigned lsb) {
    field fd;
    fd.name = record.getValueAsString("Name").str();
    fd.doc = record.getValueAsString("Doc").str();
    fd.lsb = lsb;
    const std::string what = "field " + f.name + "." + fd.name;
    const SMLoc loc = locate(owner, record, fd.name, names_seen[fd.name]++);

    check_snake_name(loc, fd.name, "field name '" + fd.name + "' in format " + f.name, true);
    if (fd.name == "width" || fd.name == "packed_type" || fd.name == "unused") {
      fail(loc, "field name '" + fd.name + "' in format " + f.name +
                    " is reserved (the generated code uses it)");
    }
    for (const enum_type& e : *enums_) {
      if (fd.name == e.cpp_name) {
        fail(loc, "field name '" + fd.name + "' in format " + f.name + " is the name of enum " +
                      e.name);
      }
    }
    for (const field& other : f.fields) {
      if (other.name == fd.name) {
        fail(loc, "duplicate field '" + fd.name + "' in format " + f.name);
      }
    }

    const std::int64_t width = record.getValueAsInt("Width");
    if (width < 1 || width > 64) {
      fail(loc, what + " is " + Twine(width) + " bits wide; a field is 1 to 64 bits wide");
    }
    fd.width = static_cast<unsigned>(width);
    fd.is_signed = record.getValueAsBit("Signed");
    if (fd.is_signed && fd.width == 1) {
      fail(loc, what + " is signed and 1 bit wide; a signed field needs at least 2 bits");
    }
    if (!fd.is_signed && fd.width == 64) {
      fail(loc, what + " is unsigned and 64 bits wide; unsigned fields are at most 63 bits "
                       "(field ranges are std::int64_t)");
    }
    if (lsb + fd.width > f.width) {
      fail(loc, what + " at bits " + bit_range(lsb + fd.width - 1, lsb) + " overflows the " +
                    Twine(f.width) + "-bit format " + f.name + " by " +
                    Twine(lsb + fd.width - f.width) + " bits");
    }
    if (fd.is_signed) {
      fd.min = fd.width == 64 ? INT64_MIN : -(std::int64_t{1} << (fd.width - 1));
      fd.max = fd.width == 64 ? INT64_MAX : (std::int64_t{1} << (fd.width - 1)) - 1;
    } else {
      fd.min = 0;
      fd.max = static_cast<std::int64_t>((std::uint64_t{1} << fd.width) - 1);
    }

    if (const Record* type = record.getValueAsOptionalDef("Type")) {
      const auto it = enum_index_.find(type);
      if (it == enum_index_.end()) {
        fail(loc, what + " has type " + type->getName() + ", which is not an Enum");
      }
      const enum_type& e = (*enums_)[it->second];
      if (fd.is_signed || fd.width != e.width) {
        fail(loc, what + " holds enum " + e.name + ", so it must be unsigned and " +
                      Twine(e.width) + " bits wide: write EnumField<\"" + fd.name + "\", " +
                      e.name + ", ...>");
      }
      fd.enum_index = it->second;
      const auto [lo, hi] = std::minmax_element(
          e.values.begin(), e.values.end(),
          [](const enum_value& a, const enum_value& b) { return a.value < b.value; });
      fd.min = lo->value;
      fd.max = hi->value;
    }
    check_doc(loc, fd.doc, what);
    sv_.claim(loc, f.name + camel_case(fd.name) + "Width", what);
    return fd;
  }

  const llvm::RecordKeeper& records_;
  std::map<const Record*, std::size_t> enum_index_;
  const std::vector<enum_type>* enums_ = nullptr;
  name_table cpp_{"C++"};
  name_table sv_{"SystemVerilog"};
};

}  // namespace

isa parse_isa(const llvm::RecordKeeper& records) { return parser(records).run(); }

std::string bit_range(unsigned msb, unsigned lsb) {
  if (msb == lsb) {
    return "[" + std::to_string(lsb) + "]";
  }
  return "[" + std::to_string(msb) + ":" + std::to_string(lsb) + "]";
}

}  // namespace engram::tblgen
