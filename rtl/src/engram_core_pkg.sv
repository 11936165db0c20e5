// Shared definitions of the Engram neuron core: the configuration targets of
// its load port and the primitive operations of docs/numerics.md §1, written
// once so that the neuron datapath and the synaptic-delivery engine agree.
//
// ENGRAM_MUTATE_DECAY_FLOOR (a define) replaces decay()'s rounding toward zero
// by a floor. It exists only for the co-simulation's mutation test, which
// must see the altered bit reported as a mismatch.

package engram_core_pkg;

  import engram_isa_pkg::*;

  // Tables the load port writes (cfg_target_i).
  typedef enum logic [2:0] {
    CfgNeuronCount  = 3'd0,  // wdata[12:0]: neurons the update engine visits
    CfgProfile      = 3'd1,  // addr: profile, wdata: neuron_config_t
    CfgNeuron       = 3'd2,  // addr: neuron, wdata: neuron_state_t
    CfgNeuronMap    = 3'd3,  // addr: neuron, wdata[15:0]: profile, wdata[16]: LIF (else idle source)
    CfgAxon         = 3'd4,  // addr: input axon, wdata[63:0]: axon_entry_t
    CfgSynapse      = 3'd5,  // addr: synapse-memory word, wdata[31:0]
    CfgPostTrace    = 3'd6   // addr: 4 * profile + i (i = 0..2: y1..y3), wdata[31:0]: trace_config_t
  } cfg_target_e;

  localparam int unsigned CfgDataWidth = 128;

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
