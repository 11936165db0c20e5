// Fields that need more bits than their format has.
include "base.td"

def Overflowing : Format<16, "Fields need 18 bits", [
  Field<"low",  10, Unsigned, "Fits">,
  Field<"high", 8,  Unsigned, "Ends at bit 17">  // expect-error: overflows the 16-bit format Overflowing by 2 bits
]>;
