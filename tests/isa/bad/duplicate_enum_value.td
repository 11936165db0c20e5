// Two enumerators with the same encoding.
include "base.td"

def Colour : Enum<2, "A colour", [
  EnumValue<"red",   0, "r", "Red">,
  EnumValue<"green", 1, "g", "Green">,
  EnumValue<"blue",  1, "b", "Blue">  // expect-error: Colour.blue repeats the value 1 of Colour.green
]>;
