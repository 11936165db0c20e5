// An enumerator named like a C++ keyword.
include "base.td"

def Action : Enum<2, "What to do", [
  EnumValue<"keep",   0, "keep", "Keep it">,
  EnumValue<"delete", 1, "del",  "Delete it">  // expect-error: enumerator name 'delete' of enum Action is a C++ keyword
]>;
