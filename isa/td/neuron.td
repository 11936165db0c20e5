//===- neuron.td - Engram ISA: neuron and trace registers ------------------===//
//
// Per-neuron state, per-axon pre-synaptic traces, and the profiles (shared
// configuration registers) that neurons and traces point to.
//
//===----------------------------------------------------------------------===//

def NeuronState : Format<128, "Dynamic state of one neuron", [
  Field<"u_exc",      24, Signed,   "Excitatory synaptic current">,
  Field<"u_inh",      24, Signed,   "Inhibitory synaptic current">,
  Field<"v",          24, Signed,   "Membrane voltage">,
  Field<"refractory", 8,  Unsigned, "Remaining refractory steps">,
  Field<"y1",         16, Unsigned, "First post-synaptic trace">,
  Field<"y2",         16, Unsigned, "Second post-synaptic trace">,
  Field<"y3",         16, Unsigned, "Third post-synaptic trace">
]>;

def PreTraceState : Format<32, "Pre-synaptic traces of one input axon", [
  Field<"x1", 16, Unsigned, "First pre-synaptic trace">,
  Field<"x2", 16, Unsigned, "Second pre-synaptic trace">
]>;

def NeuronConfig : Format<128, "Neuron profile: parameters shared by a group of neurons", [
  Field<"decay_u_exc",        12, Unsigned, "Fraction of u_exc removed per step, in 1/DecayUnity">,
  Field<"decay_u_inh",        12, Unsigned, "Fraction of u_inh removed per step, in 1/DecayUnity">,
  Field<"decay_v",            12, Unsigned, "Fraction of v removed per step, in 1/DecayUnity">,
  Field<"threshold_mant",     17, Unsigned, "Threshold = threshold_mant << ThresholdShift">,
  Field<"bias_mant",          13, Signed,   "Bias current mantissa: bias = bias_mant << bias_exp">,
  Field<"bias_exp",           3,  Unsigned, "Bias current exponent">,
  Field<"reset_mant",         18, Signed,   "Reset voltage = reset_mant << ResetShift">,
  Field<"refractory_period",  8,  Unsigned, "Refractory period in steps">,
  Field<"post_trace_profile", 3,  Unsigned, "Trace profile of the neuron's post-synaptic traces">
]>;

def TraceConfig : Format<32, "Trace profile: how a trace decays and jumps", [
  Field<"decay",   12, Unsigned, "Fraction of the trace removed per step, in 1/DecayUnity">,
  Field<"impulse", 16, Unsigned, "Added to the trace on its event, saturating (times the payload for a modulator)">
]>;
