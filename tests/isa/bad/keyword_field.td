// A field name that is a SystemVerilog keyword (fine in C++).
include "base.td"

def Keyword : Format<32, "Has a field named like an SV keyword", [
  Field<"data",  8, Unsigned, "Fine">,
  Field<"logic", 8, Unsigned, "An SV keyword">  // expect-error: field name 'logic' in format Keyword is a SystemVerilog keyword
]>;
