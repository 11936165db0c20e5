// An enum value that does not fit the enum's width.
include "base.td"

def Colour : Enum<2, "A colour", [
  EnumValue<"red",   0, "r", "Red">,
  EnumValue<"green", 1, "g", "Green">,
  EnumValue<"blue",  4, "b", "Blue">  // expect-error: value 4 of Colour.blue does not fit the 2-bit enum (0..3)
]>;
