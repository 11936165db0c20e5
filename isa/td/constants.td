//===- constants.td - Engram ISA: chip constants ---------------------------===//
//
// Shifts and limits that the numerics (docs/numerics.md), the compiler and the
// emulator share. The formats' field widths are chosen so that these fit.
//
//===----------------------------------------------------------------------===//

// Fixed point.
def DecayShift : Constant<12,
  "Decays are 12-bit fractions removed per step: x' = x * (DecayUnity - decay) >> DecayShift">;
def DecayUnity : Constant<4096,
  "1 << DecayShift: a decay d removes d / DecayUnity of a value per step">;
def WeightShift : Constant<6,
  "Synaptic input = weight mantissa << (WeightShift + weight_exp)">;
def WeightExpMin : Constant<-6,
  "Smallest per-row weight exponent (AxonEntry.weight_exp)">;
def WeightExpMax : Constant<7,
  "Largest per-row weight exponent (AxonEntry.weight_exp)">;
def ThresholdShift : Constant<6,
  "Threshold = NeuronConfig.threshold_mant << ThresholdShift">;
def ResetShift : Constant<6,
  "Reset voltage = NeuronConfig.reset_mant << ResetShift">;

// Delays.
def MaxDelay : Constant<63, "Longest synaptic delay in steps">;
def MinDelay : Constant<1, "Shortest synaptic delay in steps (a spike never arrives in its own step)">;

// Indexed axons.
def IndexBlock : Constant<16,
  "Source neurons per IndexWord of an indexed axon (SynapseWord.source holds index mod IndexBlock)">;

// Learning engine.
def LearnFracBits : Constant<8,
  "The learning engine works on (weight << LearnFracBits) | weight_frac">;
def MaxFactorsPerTerm : Constant<3, "Factors in one learning-rule term (op0..op2)">;
def MaxTermsPerRule : Constant<16, "Terms in one learning rule">;
def MicrocodeDepth : Constant<256, "Learning-term words of microcode per core">;
def MaxTraceProfiles : Constant<8, "Trace profiles (TraceConfig registers) per core">;
def MaxLearningRules : Constant<16, "Learning rules (LearningRule registers) per core">;
def ModulatorChannels : Constant<8, "Neuromodulator (reward) channels per chip">;
