//===- learning.td - Engram ISA: learning-engine microcode -----------------===//
//
// A learning rule is a sum of terms; each term is a product of up to
// MaxFactorsPerTerm factors, scaled by 2^scale and added to the weight (dw) or
// to the tag (dt). A factor is an operand (a trace, a spike indicator, the
// weight, ...) plus a signed constant, or the constant alone (op = c); an
// unused factor slot (op = none) is 1. Terms live in per-core microcode;
// a LearningRule register points at its first term.
//
//===----------------------------------------------------------------------===//

def LearnTarget : Enum<1, "What a learning term updates", [
  EnumValue<"weight", 0, "dw", "The synaptic weight">,
  EnumValue<"tag",    1, "dt", "The eligibility tag">
]>;

def LearnOperand : Enum<4, "Operand of one factor of a learning term", [
  EnumValue<"none", 0,  "none", "Unused factor slot: the factor is 1">,
  EnumValue<"x0",   1,  "x0",   "Pre-synaptic spike in this step (0 or 1)">,
  EnumValue<"y0",   2,  "y0",   "Post-synaptic spike in this step (0 or 1)">,
  EnumValue<"x1",   3,  "x1",   "First pre-synaptic trace">,
  EnumValue<"x2",   4,  "x2",   "Second pre-synaptic trace">,
  EnumValue<"y1",   5,  "y1",   "First post-synaptic trace">,
  EnumValue<"y2",   6,  "y2",   "Second post-synaptic trace">,
  EnumValue<"y3",   7,  "y3",   "Third post-synaptic trace">,
  EnumValue<"r0",   8,  "r0",   "Modulator event in this step (0 or 1)">,
  EnumValue<"r1",   9,  "r1",   "Modulator trace">,
  EnumValue<"w",    10, "w",    "Synaptic weight">,
  EnumValue<"t",    11, "t",    "Eligibility tag">,
  EnumValue<"c",    12, "c",    "No operand: the factor is the constant alone">
]>;

def LearningTerm : Format<64, "One microcode word: a term of a learning rule", [
  EnumField<"target", LearnTarget, "What the term updates (dw or dt)">,
  Field<"negate",     1, Unsigned, "1 to subtract the term instead of adding it">,
  Field<"scale",      6, Signed,   "The term is scaled by 2^scale (negative: rounded to nearest)">,
  EnumField<"op0",    LearnOperand, "Operand of the first factor">,
  Field<"const0",     8, Signed,   "Constant of the first factor">,
  EnumField<"op1",    LearnOperand, "Operand of the second factor">,
  Field<"const1",     8, Signed,   "Constant of the second factor">,
  EnumField<"op2",    LearnOperand, "Operand of the third factor">,
  Field<"const2",     8, Signed,   "Constant of the third factor">,
  Field<"last",       1, Unsigned, "1 on the last term of a rule">
]>;

def LearningRule : Format<64, "A learning rule: its terms, epoch and weight bounds", [
  Field<"first_term", 8,  Unsigned, "Microcode index of the rule's first term">,
  Field<"num_terms",  5,  Unsigned, "Number of terms (1..MaxTermsPerRule)">,
  Field<"epoch",      6,  Unsigned, "Learning epoch in steps, 1..63">,
  Field<"w_min",      8,  Signed,   "Smallest weight mantissa the rule may produce">,
  Field<"w_max",      8,  Signed,   "Largest weight mantissa the rule may produce">,
  Field<"tag_decay",  12, Unsigned, "Fraction of the tag removed per epoch, in 1/DecayUnity">,
  Field<"modulator",  3,  Unsigned, "Modulator channel that drives r0 and r1">
]>;
