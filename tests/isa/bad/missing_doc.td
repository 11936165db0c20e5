// A field without a doc string.
include "base.td"

def Undocumented : Format<16, "Has an undocumented field", [
  Field<"documented", 8, Unsigned, "Fine">,
  Field<"silent",     8, Unsigned, "">  // expect-error: field Undocumented.silent needs a doc string
]>;
