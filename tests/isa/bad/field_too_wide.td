// A field wider than 64 bits in a format that could hold it.
include "base.td"

def Wide : Format<128, "Has a 65-bit field", [
  Field<"low",  8,  Unsigned, "Fine">,
  Field<"huge", 65, Signed,   "Too wide for one std::int64_t">  // expect-error: is 65 bits wide; a field is 1 to 64 bits wide
]>;
