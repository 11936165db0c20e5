// A signed field of width 1 (it could hold only 0 and -1).
include "base.td"

def Tiny : Format<8, "Has a signed bit", [
  Field<"flag", 1, Unsigned, "Fine">,
  Field<"sign", 1, Signed,   "Signed and 1 bit">  // expect-error: is signed and 1 bit wide
]>;
