//===- base.td - Engram ISA: the classes every record is written in -------===//
//
// The ISA is a set of records of five classes: Constant, Enum (with its
// EnumValues), Field (and EnumField) and Format. engram-tblgen reads them and
// generates the C++ header and the SystemVerilog package; nothing else in the
// project spells out a bit position.
//
// Naming: records (formats, enums, constants) are CamelCase; field and
// enumerator names are lower_snake_case. The C++ side snake-cases record names
// (SynapseWord -> synapse_word); the SV side keeps CamelCase for constants and
// enumerators (like ibex_pkg.sv) and uses synapse_word_t / receptor_kind_e for
// types.
//
//===----------------------------------------------------------------------===//

// Readable names for Field's `signed` argument.
defvar Unsigned = 0;
defvar Signed = 1;

// A named integer constant of the chip: a shift, a range limit, a depth.
// C++: `inline constexpr int decay_shift`; SV: `localparam int DecayShift`.
class Constant<int value, string doc> {
  int Value = value;
  string Doc = doc;
}

// One value of an Enum: the enumerator's name, its encoding, the mnemonic
// that rule strings, reports and the CLI use, and a one-line doc string.
class EnumValue<string name, int value, string mnemonic, string doc> {
  string Name = name;
  int Value = value;
  string Mnemonic = mnemonic;
  string Doc = doc;
}

// An enumeration stored in `width` bits (at most 8). Every value must fit the
// width; names, values and mnemonics must be unique.
class Enum<int width, string doc, list<EnumValue> values> {
  int Width = width;
  string Doc = doc;
  list<EnumValue> Values = values;
}

// A bit field of a Format: `width` bits (1..64; unsigned fields at most 63),
// unsigned or two's-complement signed (then at least 2 bits wide).
class Field<string name, int width, bit signed, string doc> {
  string Name = name;
  int Width = width;
  bit Signed = signed;
  string Doc = doc;
  Enum Type = ?;  // set by EnumField
}

// A field that holds a value of an Enum; it is as wide as the Enum.
class EnumField<string name, Enum type, string doc>
    : Field<name, type.Width, Unsigned, doc> {
  let Type = type;
}

// A bit-level format of `width` bits. Fields are laid out LSB-first in list
// order, with no gaps; bits above the last field are unused (zero).
class Format<int width, string doc, list<Field> fields> {
  int Width = width;
  string Doc = doc;
  list<Field> Fields = fields;
}
