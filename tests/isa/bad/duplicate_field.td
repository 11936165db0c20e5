// Two fields with the same name in one format.
include "base.td"

def Twice : Format<32, "Has a field twice", [
  Field<"value", 8, Unsigned, "First">,
  Field<"other", 8, Unsigned, "Between">,
  Field<"value", 8, Unsigned, "Second">  // expect-error: duplicate field 'value' in format Twice
]>;
