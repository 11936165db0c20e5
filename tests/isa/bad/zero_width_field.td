// A field of width 0.
include "base.td"

def Empty : Format<32, "Has an empty field", [
  Field<"fine",  8, Unsigned, "Fine">,
  Field<"empty", 0, Unsigned, "No bits">  // expect-error: is 0 bits wide; a field is 1 to 64 bits wide
]>;
