// A field name that is no C++ or SystemVerilog identifier.
include "base.td"

def Named : Format<32, "Has a badly named field", [
  Field<"good_name", 8, Unsigned, "Fine">,
  Field<"2nd-name",  8, Unsigned, "Starts with a digit, has a dash">  // expect-error: field name '2nd-name' in format Named is not a valid identifier
]>;
