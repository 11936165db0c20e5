// Shared definitions of the Engram neuron core: the configuration targets of
// its load port, the learning engine's operand record and the primitive
// operations of docs/numerics.md §1, written once so that the neuron
// datapath, the trace engines, the synaptic-delivery engine and the learning
// engine agree.
//
// ENGRAM_MUTATE_DECAY_FLOOR (a define) replaces decay()'s rounding toward zero
// by a floor. It exists only for the co-simulation's mutation test, which
// must see the altered bit reported as a mismatch.

package engram_core_pkg;

  import engram_isa_pkg::*;

  // Tables the load port writes (cfg_target_i).
  typedef enum logic [3:0] {
    CfgNeuronCount  = 4'd0,   // wdata[12:0]: neurons (accumulators cleared), wdata[28:16]: LIF neurons (updated)
    CfgProfile      = 4'd1,   // addr: profile, wdata: neuron_config_t
    CfgNeuron       = 4'd2,   // addr: neuron, wdata: neuron_state_t
    CfgNeuronMap    = 4'd3,   // addr: neuron, wdata[15:0]: profile, wdata[16]: LIF (else idle source); clears y0e
    CfgAxon         = 4'd4,   // addr: input axon, wdata[63:0]: axon_entry_t; zeroes its x1, x2, x0, x0e
    CfgSynapse      = 4'd5,   // addr: synapse-memory word, wdata[31:0]
    CfgPostTrace    = 4'd6,   // addr: 4 * profile + i (i = 0..2: y1..y3), wdata[31:0]: trace_config_t
    CfgPreTrace     = 4'd7,   // addr: 2 * profile + i (i = 0, 1: x1, x2), wdata[31:0]: trace_config_t
    CfgModTrace     = 4'd8,   // addr: modulator channel, wdata[31:0]: trace_config_t (r1)
    CfgRule         = 4'd9,   // addr: rule, wdata[63:0]: learning_rule_t
    CfgMicrocode    = 4'd10,  // addr: microcode word, wdata[63:0]: learning_term_t
    CfgLearning     = 4'd11,  // wdata: the learning configuration (CfgLearn* below); zeroes the epoch counter
    CfgLifList      = 4'd12   // addr: i, wdata[11:0]: the i-th LIF neuron (ascending); the update engine visits these
  } cfg_target_e;

  localparam int unsigned CfgDataWidth = 128;

  // CfgNeuronCount's word: the LIF count starts at this bit.
  localparam int unsigned CfgLifCountLsb = 16;

  // CfgLearning's word: wdata[15:0] the axons the pre-trace and learning
  // engines visit (0 .. n-1; 0: none), wdata[21:16] the epoch E of the core's
  // rules (0: no learning), wdata[24] the core has modulator channels.
  localparam int unsigned CfgLearnAxonsWidth = 16;
  localparam int unsigned CfgLearnEpochLsb   = 16;
  localparam int unsigned CfgLearnModBit     = 24;

  // What the core is doing (phase_o): its control FSM's state.
  typedef enum logic [2:0] {
    PhaseIdle     = 3'd0,  // waiting for a command
    PhaseClear    = 3'd1,  // zeroing the accumulators (after loading)
    PhaseDeliver  = 3'd2,  // ingress: one synapse word per cycle (§5)
    PhaseUpdate   = 3'd3,  // neuron update and post traces: one neuron per cycle (§6, §7)
    PhaseModTrace = 3'd4,  // modulator traces r1, all channels in one cycle (§7)
    PhasePreTrace = 3'd5,  // pre traces x1, x2: one axon per cycle (§7)
    PhaseLearn    = 3'd6   // the learning engine (§8)
  } core_phase_e;

  localparam int unsigned StateWidth   = NeuronStateVWidth;       // 24: u_exc, u_inh, v
  localparam int signed   StateMax     = (1 <<< (StateWidth - 1)) - 1;
  localparam int signed   StateMin     = -(1 <<< (StateWidth - 1));
  localparam int unsigned TraceWidth   = NeuronStateY1Width;      // 16
  localparam int unsigned DecayWidth   = NeuronConfigDecayVWidth;  // 12
  // A decay product: |x| <= 2^23 times a factor <= 2^12 (numerics §1).
  localparam int unsigned DecayProdWidth = StateWidth + DecayWidth + 2;
`ifndef ENGRAM_MUTATE_DECAY_FLOOR
  localparam int unsigned DecayRound     = DecayUnity - 1;  // added to negative products: toward zero
`endif

  // Learning (numerics §8).
  localparam int unsigned TagWidth     = PlasticWordTagWidth;                 // 16
  localparam int unsigned LearnWWidth  = SynapseWordWeightWidth + LearnFracBits;  // 16: W = weight.weight_frac
  localparam int unsigned FactorWidth  = 18;  // a factor: [-32896, 65662]
  localparam int unsigned ProductWidth = 50;  // three factors: |p| <= 65662^3 < 2^49
  localparam int unsigned TermWidth    = 32;  // a term after sat32
  localparam int unsigned LearnSumWidth = TermWidth + 6;  // dw, dt: up to 16 terms (|sum| <= 2^35), + W or T

  // What the terms of one synapse read (numerics §8, factor()): the epoch
  // flags, the traces after phase 3 of this step, W before the update and
  // the decayed tag T.
  typedef struct packed {
    logic                          x0;  // x0e of the pre axon
    logic                          y0;  // y0e of the post neuron
    logic                          r0;  // r0e of the rule's modulator channel
    logic [TraceWidth-1:0]         x1;
    logic [TraceWidth-1:0]         x2;
    logic [TraceWidth-1:0]         y1;
    logic [TraceWidth-1:0]         y2;
    logic [TraceWidth-1:0]         y3;
    logic [TraceWidth-1:0]         r1;
    logic signed [LearnWWidth-1:0] w;
    logic signed [TagWidth-1:0]    t;
  } learn_operands_t;

  // sat24 of a sum of at most 27 bits (numerics §1).
  function automatic logic signed [StateWidth-1:0] sat_state(logic signed [StateWidth+2:0] x);
    if (x > (StateWidth+3)'(StateMax)) begin
      return StateWidth'(StateMax);
    end else if (x < (StateWidth+3)'(StateMin)) begin
      return StateWidth'(StateMin);
    end
    return x[StateWidth-1:0];
  endfunction

  // decay(x, d) = sign(x) * floor(|x| * (4096 - d) / 4096), rounding toward
  // zero: t = x * (4096 - d); r = (t + (t < 0 ? 4095 : 0)) >>> 12.
  function automatic logic signed [StateWidth-1:0] decay_state(logic signed [StateWidth-1:0] x,
                                                               logic [DecayWidth-1:0] d);
    logic signed [DecayProdWidth-1:0] xe, fe, t;
    xe = DecayProdWidth'(x);
    fe = $signed(DecayProdWidth'(DecayUnity) - DecayProdWidth'(d));
    t  = xe * fe;
`ifdef ENGRAM_MUTATE_DECAY_FLOOR
    return StateWidth'(t >>> DecayShift);
`else
    return StateWidth'((t + (t < 0 ? DecayProdWidth'(DecayRound) : '0)) >>> DecayShift);
`endif
  endfunction

  // trace_step of numerics §7: floor decay, then the saturating impulse on
  // an event.
  function automatic logic [TraceWidth-1:0] trace_step(logic [TraceWidth-1:0] x,
                                                       logic [DecayWidth-1:0] decay,
                                                       logic [TraceWidth-1:0] impulse,
                                                       logic event_i);
    localparam int unsigned ProdWidth = TraceWidth + DecayWidth + 1;
    logic [ProdWidth-1:0] p;
    logic [TraceWidth:0] y;
    p = ProdWidth'(x) * (ProdWidth'(DecayUnity) - ProdWidth'(decay));
    y = (TraceWidth+1)'(p >> DecayShift);
    if (event_i) begin
      y = y + (TraceWidth+1)'(impulse);
      if (y[TraceWidth]) begin
        y = {1'b0, {TraceWidth{1'b1}}};
      end
    end
    return y[TraceWidth-1:0];
  endfunction

endpackage
