// The Engram neuron core (docs/rtl.md): docs/numerics.md §5–§8 for one core,
// bit for bit what emulator::core computes: ingress with delay slots, the
// LIF update with post traces, pre traces of learning axons, modulator
// channels, and the learning engine at epoch ends.
//
// Use, per time step s:
//   1. ingress: present every input event of the step (input axon, the
//      emission step t = s - 1 of its packet and its payload) on in_*; each
//      takes one cycle for the axon lookup (a learning axon sets x0, x0e; a
//      modulator axon sets r0, r0e and adds payload * impulse to mod_in) and
//      one per synapse-memory word of its row, which it adds into the
//      dendritic accumulator slot (t + delay) mod NumSlots;
//   2. pulse start_i: the core runs step s (it counts its steps from the
//      clear: 0, 1, 2, ...); the step's phases run in order, each
//      skipped when the core has nothing for it:
//        update     the LIF neurons, in index order, one per cycle
//                   (spike sources are not visited: their spikes come
//                   from outside the core), consuming and clearing slot
//                   s mod NumSlots, streaming the spiking neurons on
//                   spike_* and every neuron's new registers on obs_*
//                   (§6, post traces §7);
//        mod trace  one cycle: r1 of every channel, then r0 and mod_in
//                   cleared (§7; only with modulator channels);
//        pre trace  axons 0 .. learn_axons-1, one per cycle: x1, x2 of the
//                   learning ones, streamed on pre_obs_*, x0 cleared (§7);
//        learn      at the end of an epoch ((s + 1) mod E = 0): the
//                   learning engine (§8), streaming each plastic synapse it
//                   writes back on syn_obs_*; then the epoch flags are
//                   cleared (x0e by the engine, r0e here, y0e by the next
//                   update pass);
//      done_o marks the end of the step.
// Before the first step the load port fills the tables and clear_i zeroes
// the accumulators of the configured neurons.
//
// Memories are modelled as arrays with combinational read (one access per
// port and cycle); an SRAM version would add a read stage to each engine.

module engram_neuron_core
  import engram_isa_pkg::*;
  import engram_core_pkg::*;
#(
  parameter int unsigned NumNeurons  = 256,   // neurons per core (a power of two, <= 4096)
  parameter int unsigned NumProfiles = 16,    // neuron profiles (>= 2)
  parameter int unsigned NumAxons    = 256,   // input axons (>= 2)
  parameter int unsigned NumSynWords = 4096,  // 32-bit synapse-memory words (>= 2)
  parameter int unsigned NumSlots    = 64     // accumulator slots per receptor: a power of two >= the longest delay
) (
  input  logic                                clk_i,             // clock
  input  logic                                rst_ni,            // asynchronous reset, active low

  // Load port: one table entry per cycle, while the core is idle.
  input  logic                                cfg_valid_i,       // write cfg_wdata_i this cycle
  input  cfg_target_e                         cfg_target_i,      // the table written
  input  logic [CfgAddrWidth-1:0]             cfg_addr_i,        // the entry's index in it
  input  logic [CfgDataWidth-1:0]             cfg_wdata_i,       // the entry (engram_isa_pkg format, LSB aligned)

  // Commands (taken when idle; priority clear_i, then in_valid_i, then start_i).
  input  logic                                clear_i,           // zero all accumulator slots of the configured neurons
  input  logic                                start_i,           // run the next step (0, 1, 2, ... from the clear)
  output logic                                busy_o,            // clearing, delivering or running a step
  output core_phase_e                         phase_o,           // what the core does in this cycle

  // Ingress: one input event (a packet already mapped to its input axon).
  input  logic                                in_valid_i,        // an event is presented
  output logic                                in_ready_o,        // the core takes it in this cycle
  input  logic [AxonIdxWidth-1:0]             in_axon_i,         // its input axon
  input  logic [AerPacketTimestampWidth-1:0]  in_time_i,         // its emission step (the packet's timestamp)
  input  logic [AerPacketPayloadWidth-1:0]    in_payload_i,      // its payload (read by modulator axons only)

  // Egress and observation, registered: valid in the cycle after the work.
  output logic                                spike_valid_o,     // spike_neuron_o spiked in this step
  output logic [NeuronIdxWidth-1:0]           spike_neuron_o,    // a spiking neuron, ascending within a step
  output logic                                obs_valid_o,       // obs_state_o holds neuron obs_neuron_o's registers
  output logic [NeuronIdxWidth-1:0]           obs_neuron_o,      // neuron just updated
  output neuron_state_t                       obs_state_o,       // its registers after the step
  output logic                                pre_obs_valid_o,   // pre_obs_o holds axon pre_obs_axon_o's traces
  output logic [AxonIdxWidth-1:0]             pre_obs_axon_o,    // learning axon just updated
  output pre_trace_state_t                    pre_obs_o,         // its x1, x2 after the step
  output logic                                syn_obs_valid_o,   // a plastic synapse was written back
  output logic [SynIdxWidth-1:0]              syn_obs_addr_o,    // the address of its SynapseWord
  output synapse_word_t                       syn_obs_word_o,    // its SynapseWord (new weight)
  output plastic_word_t                       syn_obs_plastic_o, // its PlasticWord (new fraction and tag)
  output logic [ModulatorChannels-1:0][TraceWidth-1:0] mod_r1_o, // every channel's trace r1
  output logic                                done_o,            // one cycle: the step is complete

  // Debug read port of the synapse memory (combinational, any time).
  input  logic [SynIdxWidth-1:0]              dbg_syn_addr_i,    // word read
  output logic [SynapseWordWidth-1:0]         dbg_syn_rdata_o    // its contents
);

  // --- Derived widths ---------------------------------------------------------
  localparam int unsigned NeuronIdxWidth  = $clog2(NumNeurons);
  localparam int unsigned NeuronCntWidth  = NeuronIdxWidth + 1;
  localparam int unsigned ProfileIdxWidth = $clog2(NumProfiles);
  localparam int unsigned AxonIdxWidth    = $clog2(NumAxons);
  localparam int unsigned AxonCntWidth    = AxonIdxWidth + 1;
  localparam int unsigned SynIdxWidth     = $clog2(NumSynWords);
  localparam int unsigned SlotWidth       = $clog2(NumSlots);
  localparam int unsigned AccIdxWidth     = SlotWidth + 1 + NeuronIdxWidth;  // {slot, receptor, neuron}
  localparam int unsigned RowEndWidth     = AxonEntryRowBaseWidth + 1;       // row_base + row_len
  localparam int unsigned ShiftWidth      = 4;                               // WeightShift + weight_exp: 0..13
  localparam int unsigned TraceIdxWidth   = NeuronConfigPostTraceProfileWidth + 2;
  localparam int unsigned PreTraceIdxWidth = AxonEntryPreTraceProfileWidth + 1;  // {profile, x1/x2}
  localparam int unsigned ChannelWidth    = AxonEntryModulatorChannelWidth;
  localparam int unsigned RuleIdxWidth    = AxonEntryRuleWidth;
  localparam int unsigned TermIdxWidth    = LearningRuleFirstTermWidth;
  localparam int unsigned EpochWidth      = LearningRuleEpochWidth;
  localparam int unsigned CfgAddrWidth    = AxonEntryRowBaseWidth;           // the largest table: synapse memory
  localparam int unsigned SumWidth        = StateWidth + 3;
  localparam int unsigned ModProdWidth    = AerPacketPayloadWidth + TraceConfigImpulseWidth;  // payload * impulse

  if (NumNeurons < 2 || NumNeurons > (1 << SynapseWordTargetWidth) ||
      (1 << NeuronIdxWidth) != NumNeurons) begin : g_bad_neurons
    $error("NumNeurons must be a power of two in 2..4096");
  end
  if (NumSlots < 2 || NumSlots > 64 || (1 << SlotWidth) != NumSlots) begin : g_bad_slots
    $error("NumSlots must be a power of two in 2..64");
  end
  if (NumProfiles < 2 || NumAxons < 2 || NumSynWords < 2 ||
      NumSynWords > (1 << AxonEntryRowBaseWidth) || AxonCntWidth > CfgLearnAxonsWidth) begin : g_bad_tables
    $error("table sizes out of range");
  end

  // --- Tables (configuration, written by the load port) -----------------------
  neuron_config_t              profile_q    [NumProfiles];
  trace_config_t               post_trace_q [1 << TraceIdxWidth];
  trace_config_t               pre_trace_q  [1 << PreTraceIdxWidth];
  trace_config_t               mod_trace_q  [ModulatorChannels];
  learning_rule_t              rule_q       [1 << RuleIdxWidth];
  learning_term_t              microcode_q  [MicrocodeDepth];
  logic [ProfileIdxWidth-1:0]  profile_of_q [NumNeurons];
  logic                        lif_q        [NumNeurons];
  logic [NeuronIdxWidth-1:0]   lif_list_q   [NumNeurons];  // the LIF neurons, ascending
  axon_entry_t                 axon_q       [NumAxons];
  logic [SynapseWordWidth-1:0] syn_mem_q    [NumSynWords];
  logic [NeuronCntWidth-1:0]   count_q;        // neurons (the accumulators cleared)
  logic [NeuronCntWidth-1:0]   lif_count_q;    // LIF neurons (the update engine's list)
  logic [AxonCntWidth-1:0]     learn_axons_q;  // axons the pre-trace and learning engines visit
  logic [EpochWidth-1:0]       epoch_q;        // E; 0: no learning
  logic                        mod_en_q;       // the core has modulator channels

  // --- Dynamic state -------------------------------------------------------------
  neuron_state_t                state_q [NumNeurons];
  logic                         y0e_q   [NumNeurons];   // spiked in this epoch
  logic signed [StateWidth-1:0] acc_q   [1 << AccIdxWidth];
  pre_trace_state_t             pre_q   [NumAxons];     // x1, x2 of learning axons
  logic                         x0_q    [NumAxons];     // a pre spike in this step
  logic                         x0e_q   [NumAxons];     // a pre spike in this epoch
  logic [TraceWidth-1:0]        r1_q     [ModulatorChannels];
  logic [TraceWidth-1:0]        mod_in_q [ModulatorChannels];
  logic                         r0_q     [ModulatorChannels];
  logic                         r0e_q    [ModulatorChannels];
  logic [EpochWidth-1:0]        epoch_cnt_q, epoch_cnt_d;  // (s mod E) of the next step
  logic                         y0e_clr_q, y0e_clr_d;      // an epoch ended: the next update pass clears y0e

  // --- Control registers -----------------------------------------------------------
  core_phase_e                 st_q, st_d;
  logic [NeuronIdxWidth-1:0]   neuron_q, neuron_d;      // clear: current neuron; update: position in the LIF list
  logic [AxonIdxWidth-1:0]     trace_axon_q, trace_axon_d;  // pre trace: current axon
  logic [SlotWidth:0]          clr_slot_q, clr_slot_d;  // clear: {slot, receptor}
  logic [SlotWidth-1:0]        slot_q, slot_d;          // deliver: the event's emission step
  logic [SlotWidth-1:0]        step_slot_q, step_slot_d;  // the next step's slot: s mod NumSlots
  logic [RowEndWidth-1:0]      ptr_q, ptr_d;            // deliver: next synapse-memory word
  logic [RowEndWidth-1:0]      end_q, end_d;            // deliver: end of the row
  logic [ShiftWidth-1:0]       shift_q, shift_d;        // deliver: WeightShift + weight_exp

  logic                        spike_valid_q, spike_valid_d;
  logic                        obs_valid_q, obs_valid_d;
  logic [NeuronIdxWidth-1:0]   obs_neuron_q, obs_neuron_d;
  neuron_state_t               obs_state_q, obs_state_d;
  logic                        pre_obs_valid_q, pre_obs_valid_d;
  logic [AxonIdxWidth-1:0]     pre_obs_axon_q, pre_obs_axon_d;
  pre_trace_state_t            pre_obs_q, pre_obs_d;
  logic                        done_q, done_d;

  // --- Ingress datapath: one synapse per cycle (numerics §5) -------------------
  axon_entry_t                  in_axon;
  synapse_word_t                syn;
  logic signed [StateWidth-1:0] syn_in;
  logic [SlotWidth-1:0]         syn_slot;
  logic [AccIdxWidth-1:0]       syn_acc_idx;
  logic signed [StateWidth-1:0] syn_acc_sum;
  logic [RowEndWidth-1:0]       ptr_next;
  logic                         take_event;
  logic [ChannelWidth-1:0]      in_channel;
  logic [ModProdWidth:0]        mod_sum;

  assign in_axon     = axon_q[in_axon_i];
  assign syn         = synapse_word_t'(syn_mem_q[ptr_q[SynIdxWidth-1:0]]);
  assign syn_in      = StateWidth'(syn.weight) <<< shift_q;
  assign syn_slot    = SlotWidth'(slot_q + SlotWidth'(syn.delay));
  assign syn_acc_idx = {syn_slot, syn.receptor == ReceptorKindInhibitory,
                        syn.target[NeuronIdxWidth-1:0]};
  assign syn_acc_sum = sat_state(SumWidth'(acc_q[syn_acc_idx]) + SumWidth'(syn_in));
  // A plastic synapse's PlasticWord follows it: skip it.
  assign ptr_next    = ptr_q + (syn.plastic ? RowEndWidth'(2) : RowEndWidth'(1));
  assign take_event  = st_q == PhaseIdle && !clear_i && in_valid_i;
  // A modulator event: mod_in = satu16(mod_in + payload * impulse) (< 2^25).
  assign in_channel  = in_axon.modulator_channel;
  assign mod_sum     = (ModProdWidth+1)'(mod_in_q[in_channel]) +
                       (ModProdWidth+1)'(in_payload_i) * (ModProdWidth+1)'(mod_trace_q[in_channel].impulse);

  // --- Update datapath: one neuron per cycle (numerics §6, §7) --------------------
  logic [AccIdxWidth-1:0]       upd_exc_idx, upd_inh_idx;
  neuron_config_t               upd_config;
  trace_config_t [2:0]          upd_post_trace;
  neuron_state_t                upd_state;
  logic                         upd_spike;

  logic                         upd_first;   // start_i taken: the first LIF neuron updates in this cycle
  logic                         upd_now;     // a neuron updates in this cycle
  logic                         upd_en;      // the update datapath may be used (operand isolation)
  logic [NeuronIdxWidth-1:0]    upd_neuron;

  // The datapath reads registers only (neuron_q is 0 between steps), so
  // that the first neuron can update in the start cycle without a path
  // from the command inputs through it.
  assign upd_first   = st_q == PhaseIdle && !clear_i && !in_valid_i && start_i && lif_count_q != '0;
  assign upd_now     = upd_first || st_q == PhaseUpdate;
  assign upd_en      = st_q == PhaseIdle || st_q == PhaseUpdate;
  assign upd_neuron  = lif_list_q[neuron_q];
  assign upd_exc_idx = {step_slot_q, 1'b0, upd_neuron};
  assign upd_inh_idx = {step_slot_q, 1'b1, upd_neuron};
  assign upd_config  = profile_q[profile_of_q[upd_neuron]];
  for (genvar i = 0; i < 3; i++) begin : g_post_trace
    assign upd_post_trace[i] = post_trace_q[{upd_config.post_trace_profile, 2'(i)}];
  end

  engram_neuron_update u_update (
    .state_i      (state_q[upd_neuron]),
    .config_i     (upd_config),
    .post_trace_i (upd_post_trace),
    .in_exc_i     (acc_q[upd_exc_idx]),
    .in_inh_i     (acc_q[upd_inh_idx]),
    .lif_i        (upd_en && lif_q[upd_neuron]),
    .state_o      (upd_state),
    .spike_o      (upd_spike)
  );

  logic last_neuron, last_lif;
  assign last_neuron = NeuronCntWidth'(neuron_q) + 1'b1 >= count_q;
  assign last_lif    = NeuronCntWidth'(neuron_q) + 1'b1 >= lif_count_q;

  // --- Pre-trace datapath: one axon per cycle (numerics §7) -----------------------
  axon_entry_t                  trace_entry;
  trace_config_t                pre_cfg_x1, pre_cfg_x2;
  pre_trace_state_t             pre_new;
  logic                         last_trace_axon;

  assign trace_entry   = axon_q[trace_axon_q];
  assign pre_cfg_x1    = pre_trace_q[{trace_entry.pre_trace_profile, 1'b0}];
  assign pre_cfg_x2    = pre_trace_q[{trace_entry.pre_trace_profile, 1'b1}];
  always_comb begin  // only in the pre-trace phase (operand isolation)
    pre_new = '0;
    if (st_q == PhasePreTrace) begin
      pre_new.x1 = trace_step(pre_q[trace_axon_q].x1, pre_cfg_x1.decay, pre_cfg_x1.impulse, x0_q[trace_axon_q]);
      pre_new.x2 = trace_step(pre_q[trace_axon_q].x2, pre_cfg_x2.decay, pre_cfg_x2.impulse, x0_q[trace_axon_q]);
    end
  end
  assign last_trace_axon = AxonCntWidth'(trace_axon_q) + 1'b1 >= learn_axons_q;

  // --- Learning engine (numerics §8) ------------------------------------------------
  logic                         learn_now;     // this step ends an epoch
  logic                         lrn_start, lrn_done;
  logic [AxonIdxWidth-1:0]      lrn_axon;
  logic                         lrn_x0e_clear;
  logic [RuleIdxWidth-1:0]      lrn_rule_idx;
  logic [TermIdxWidth-1:0]      lrn_term_idx;
  logic [NeuronIdxWidth-1:0]    lrn_post;
  logic [ChannelWidth-1:0]      lrn_channel;
  logic [SynIdxWidth-1:0]       lrn_syn_addr;
  logic                         lrn_syn_we;
  logic [SynapseWordWidth-1:0]  lrn_syn_wdata;

  assign learn_now = epoch_q != '0 && epoch_cnt_q + 1'b1 == epoch_q;

  engram_learning_engine #(
    .NumNeurons  (NumNeurons),
    .NumAxons    (NumAxons),
    .NumSynWords (NumSynWords)
  ) u_learning (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .start_i       (lrn_start),
    .axon_count_i  (learn_axons_q),
    .done_o        (lrn_done),
    .axon_o        (lrn_axon),
    .axon_entry_i  (axon_q[lrn_axon]),
    .pre_i         (pre_q[lrn_axon]),
    .x0e_i         (x0e_q[lrn_axon]),
    .x0e_clear_o   (lrn_x0e_clear),
    .rule_idx_o    (lrn_rule_idx),
    .rule_i        (rule_q[lrn_rule_idx]),
    .term_idx_o    (lrn_term_idx),
    .term_i        (microcode_q[lrn_term_idx]),
    .post_o        (lrn_post),
    .post_state_i  (state_q[lrn_post]),
    .y0e_i         (y0e_q[lrn_post]),
    .channel_o     (lrn_channel),
    .r1_i          (r1_q[lrn_channel]),
    .r0e_i         (r0e_q[lrn_channel]),
    .syn_addr_o    (lrn_syn_addr),
    .syn_rdata_i   (syn_mem_q[lrn_syn_addr]),
    .syn_we_o      (lrn_syn_we),
    .syn_wdata_o   (lrn_syn_wdata),
    .obs_valid_o   (syn_obs_valid_o),
    .obs_addr_o    (syn_obs_addr_o),
    .obs_syn_o     (syn_obs_word_o),
    .obs_plastic_o (syn_obs_plastic_o)
  );

  // --- Control ------------------------------------------------------------------------
  // The phases after the neuron update, each skipped when the core has
  // nothing for it; PhaseIdle ends the step.
  core_phase_e after_update, after_mod_trace, after_pre_trace;
  logic        step_end;  // the step completes in this cycle

  assign after_pre_trace = learn_now && learn_axons_q != '0 ? PhaseLearn : PhaseIdle;
  assign after_mod_trace = learn_axons_q != '0 ? PhasePreTrace : after_pre_trace;
  assign after_update    = mod_en_q ? PhaseModTrace : after_mod_trace;
  // The learning phase follows the pre-trace phase's last axon only.
  assign lrn_start       = st_q == PhasePreTrace && last_trace_axon && learn_now;

  always_comb begin
    st_d            = st_q;
    neuron_d        = neuron_q;
    trace_axon_d    = trace_axon_q;
    clr_slot_d      = clr_slot_q;
    slot_d          = slot_q;
    ptr_d           = ptr_q;
    end_d           = end_q;
    shift_d         = shift_q;
    spike_valid_d   = 1'b0;
    obs_valid_d     = 1'b0;
    obs_neuron_d    = obs_neuron_q;
    obs_state_d     = obs_state_q;
    pre_obs_valid_d = 1'b0;
    pre_obs_axon_d  = pre_obs_axon_q;
    pre_obs_d       = pre_obs_q;
    step_end        = 1'b0;

    unique case (st_q)
      PhaseIdle: begin
        if (clear_i) begin
          if (count_q != '0) begin
            st_d       = PhaseClear;
            neuron_d   = '0;
            clr_slot_d = '0;
          end
        end else if (in_valid_i) begin
          // Modulator axons carry no synapses; empty rows cost the lookup only.
          if (!in_axon.modulator && in_axon.row_len != '0) begin
            st_d    = PhaseDeliver;
            ptr_d   = RowEndWidth'(in_axon.row_base);
            end_d   = RowEndWidth'(in_axon.row_base) + RowEndWidth'(in_axon.row_len);
            shift_d = ShiftWidth'(WeightShift) + ShiftWidth'(in_axon.weight_exp);
            slot_d  = SlotWidth'(in_time_i);
          end
        end else if (start_i) begin
          // The first LIF neuron updates in this cycle (below).
          trace_axon_d = '0;
          if (lif_count_q == '0) begin
            st_d     = after_update;
            step_end = st_d == PhaseIdle;
          end
        end
      end
      PhaseClear: begin
        if (last_neuron) begin
          neuron_d   = '0;
          clr_slot_d = clr_slot_q + 1'b1;
          if (clr_slot_q == '1) begin
            st_d = PhaseIdle;
          end
        end else begin
          neuron_d = neuron_q + 1'b1;
        end
      end
      PhaseDeliver: begin
        ptr_d = ptr_next;
        if (ptr_next >= end_q) begin
          st_d = PhaseIdle;
        end
      end
      PhaseUpdate: ;  // below, with the start cycle
      PhaseModTrace: begin
        st_d     = after_mod_trace;
        step_end = st_d == PhaseIdle;
      end
      PhasePreTrace: begin
        pre_obs_valid_d = trace_entry.learning;
        pre_obs_axon_d  = trace_axon_q;
        pre_obs_d       = pre_new;
        trace_axon_d    = trace_axon_q + 1'b1;
        if (last_trace_axon) begin
          st_d     = after_pre_trace;
          step_end = st_d == PhaseIdle;
        end
      end
      PhaseLearn: begin
        if (lrn_done) begin
          st_d     = PhaseIdle;
          step_end = 1'b1;
        end
      end
      default: st_d = PhaseIdle;
    endcase

    // The update engine: one LIF neuron per cycle, from the start cycle on.
    if (upd_now) begin
      spike_valid_d = upd_spike;
      obs_valid_d   = 1'b1;
      obs_neuron_d  = upd_neuron;
      obs_state_d   = upd_state;
      if (last_lif) begin
        st_d     = after_update;
        step_end = st_d == PhaseIdle;
        neuron_d = '0;
      end else begin
        st_d     = PhaseUpdate;
        neuron_d = neuron_q + 1'b1;
      end
    end

    done_d = step_end;
    // The step counter: zeroed by the clear after loading, one per step.
    step_slot_d = step_slot_q;
    if (st_q == PhaseIdle && clear_i) begin
      step_slot_d = '0;
    end else if (step_end) begin
      step_slot_d = step_slot_q + 1'b1;
    end
    // The epoch counter advances at the end of every step; an epoch's end
    // clears its flags (y0e lazily, in the next update pass).
    epoch_cnt_d = epoch_cnt_q;
    y0e_clr_d   = y0e_clr_q;
    if (upd_now && last_lif) begin
      y0e_clr_d = 1'b0;
    end
    if (step_end && epoch_q != '0) begin
      epoch_cnt_d = learn_now ? '0 : epoch_cnt_q + 1'b1;
      if (learn_now) begin
        y0e_clr_d = 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q            <= PhaseIdle;
      neuron_q        <= '0;
      trace_axon_q    <= '0;
      clr_slot_q      <= '0;
      slot_q          <= '0;
      step_slot_q     <= '0;
      ptr_q           <= '0;
      end_q           <= '0;
      shift_q         <= '0;
      spike_valid_q   <= 1'b0;
      obs_valid_q     <= 1'b0;
      obs_neuron_q    <= '0;
      obs_state_q     <= '0;
      pre_obs_valid_q <= 1'b0;
      pre_obs_axon_q  <= '0;
      pre_obs_q       <= '0;
      done_q          <= 1'b0;
      y0e_clr_q       <= 1'b0;
    end else begin
      st_q            <= st_d;
      neuron_q        <= neuron_d;
      trace_axon_q    <= trace_axon_d;
      clr_slot_q      <= clr_slot_d;
      slot_q          <= slot_d;
      step_slot_q     <= step_slot_d;
      ptr_q           <= ptr_d;
      end_q           <= end_d;
      shift_q         <= shift_d;
      spike_valid_q   <= spike_valid_d;
      obs_valid_q     <= obs_valid_d;
      obs_neuron_q    <= obs_neuron_d;
      obs_state_q     <= obs_state_d;
      pre_obs_valid_q <= pre_obs_valid_d;
      pre_obs_axon_q  <= pre_obs_axon_d;
      pre_obs_q       <= pre_obs_d;
      done_q          <= done_d;
      y0e_clr_q       <= y0e_clr_d;
    end
  end

  // --- Configuration registers and modulator channels -----------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      count_q       <= '0;
      lif_count_q   <= '0;
      learn_axons_q <= '0;
      epoch_q       <= '0;
      mod_en_q      <= 1'b0;
      epoch_cnt_q   <= '0;
    end else if (cfg_valid_i && cfg_target_i == CfgNeuronCount) begin
      count_q     <= NeuronCntWidth'(cfg_wdata_i[CfgLifCountLsb-1:0]);
      lif_count_q <= NeuronCntWidth'(cfg_wdata_i[CfgLifCountLsb +: CfgLifCountLsb]);
    end else if (cfg_valid_i && cfg_target_i == CfgLearning) begin
      learn_axons_q <= AxonCntWidth'(cfg_wdata_i[CfgLearnAxonsWidth-1:0]);
      epoch_q       <= cfg_wdata_i[CfgLearnEpochLsb +: EpochWidth];
      mod_en_q      <= cfg_wdata_i[CfgLearnModBit];
      epoch_cnt_q   <= '0;
    end else begin
      epoch_cnt_q <= epoch_cnt_d;
    end
  end

  // Numerics §5 (ingress) and §7 (r1 = trace_step(r1, mod_trace, r0, mod_in));
  // r0 and mod_in belong to one step, r0e to one epoch.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int c = 0; c < ModulatorChannels; c++) begin
        r1_q[c]     <= '0;
        mod_in_q[c] <= '0;
        r0_q[c]     <= 1'b0;
        r0e_q[c]    <= 1'b0;
      end
    end else begin
      if (take_event && in_axon.modulator) begin
        r0_q[in_channel]     <= 1'b1;
        r0e_q[in_channel]    <= 1'b1;
        mod_in_q[in_channel] <= mod_sum[ModProdWidth:TraceWidth] != '0 ? '1 : mod_sum[TraceWidth-1:0];
      end
      if (st_q == PhaseModTrace) begin
        for (int c = 0; c < ModulatorChannels; c++) begin
          r1_q[c]     <= trace_step(r1_q[c], mod_trace_q[c].decay, mod_in_q[c], r0_q[c]);
          r0_q[c]     <= 1'b0;
          mod_in_q[c] <= '0;
        end
      end
      if (step_end && learn_now) begin
        for (int c = 0; c < ModulatorChannels; c++) begin
          r0e_q[c] <= 1'b0;
        end
      end
    end
  end

  // --- Memories: configuration writes, accumulators, neuron and axon state --------
  always_ff @(posedge clk_i) begin
    if (upd_now) begin
      acc_q[upd_exc_idx]  <= '0;
      acc_q[upd_inh_idx]  <= '0;
      state_q[upd_neuron] <= upd_state;
      y0e_q[upd_neuron]   <= upd_spike || (y0e_q[upd_neuron] && !y0e_clr_q);
    end
    if (cfg_valid_i) begin
      unique case (cfg_target_i)
        CfgProfile:   profile_q[cfg_addr_i[ProfileIdxWidth-1:0]] <= neuron_config_t'(cfg_wdata_i);
        CfgNeuron:    state_q[cfg_addr_i[NeuronIdxWidth-1:0]]    <= neuron_state_t'(cfg_wdata_i);
        CfgNeuronMap: begin
          profile_of_q[cfg_addr_i[NeuronIdxWidth-1:0]] <= cfg_wdata_i[ProfileIdxWidth-1:0];
          lif_q[cfg_addr_i[NeuronIdxWidth-1:0]]        <= cfg_wdata_i[16];
          y0e_q[cfg_addr_i[NeuronIdxWidth-1:0]]        <= 1'b0;
        end
        CfgLifList:   lif_list_q[cfg_addr_i[NeuronIdxWidth-1:0]] <= cfg_wdata_i[NeuronIdxWidth-1:0];
        CfgAxon: begin
          axon_q[cfg_addr_i[AxonIdxWidth-1:0]] <= axon_entry_t'(cfg_wdata_i[AxonEntryWidth-1:0]);
          pre_q[cfg_addr_i[AxonIdxWidth-1:0]]  <= '0;
          x0_q[cfg_addr_i[AxonIdxWidth-1:0]]   <= 1'b0;
          x0e_q[cfg_addr_i[AxonIdxWidth-1:0]]  <= 1'b0;
        end
        CfgSynapse:   syn_mem_q[cfg_addr_i[SynIdxWidth-1:0]]    <= cfg_wdata_i[SynapseWordWidth-1:0];
        CfgPostTrace: post_trace_q[cfg_addr_i[TraceIdxWidth-1:0]] <=
                          trace_config_t'(cfg_wdata_i[TraceConfigWidth-1:0]);
        CfgPreTrace:  pre_trace_q[cfg_addr_i[PreTraceIdxWidth-1:0]] <=
                          trace_config_t'(cfg_wdata_i[TraceConfigWidth-1:0]);
        CfgModTrace:  mod_trace_q[cfg_addr_i[ChannelWidth-1:0]] <=
                          trace_config_t'(cfg_wdata_i[TraceConfigWidth-1:0]);
        CfgRule:      rule_q[cfg_addr_i[RuleIdxWidth-1:0]] <=
                          learning_rule_t'(cfg_wdata_i[LearningRuleWidth-1:0]);
        CfgMicrocode: microcode_q[cfg_addr_i[TermIdxWidth-1:0]] <=
                          learning_term_t'(cfg_wdata_i[LearningTermWidth-1:0]);
        default: ;
      endcase
    end
    unique case (st_q)
      PhaseIdle: begin
        if (take_event && !in_axon.modulator && in_axon.learning) begin
          x0_q[in_axon_i]  <= 1'b1;
          x0e_q[in_axon_i] <= 1'b1;
        end
      end
      PhaseClear:   acc_q[{clr_slot_q, neuron_q}] <= '0;
      PhaseDeliver: acc_q[syn_acc_idx] <= syn_acc_sum;
      PhasePreTrace: begin
        if (trace_entry.learning) begin
          pre_q[trace_axon_q] <= pre_new;
        end
        x0_q[trace_axon_q] <= 1'b0;
      end
      PhaseLearn: begin
        if (lrn_syn_we) begin
          syn_mem_q[lrn_syn_addr] <= lrn_syn_wdata;
        end
        if (lrn_x0e_clear) begin
          x0e_q[lrn_axon] <= 1'b0;
        end
      end
      default: ;
    endcase
  end

  // --- Outputs ------------------------------------------------------------------------
  assign busy_o            = st_q != PhaseIdle;
  assign phase_o           = st_q;
  assign in_ready_o        = take_event;
  assign spike_valid_o     = spike_valid_q;
  assign spike_neuron_o    = obs_neuron_q;
  assign obs_valid_o       = obs_valid_q;
  assign obs_neuron_o      = obs_neuron_q;
  assign obs_state_o       = obs_state_q;
  assign pre_obs_valid_o   = pre_obs_valid_q;
  assign pre_obs_axon_o    = pre_obs_axon_q;
  assign pre_obs_o         = pre_obs_q;
  for (genvar c = 0; c < ModulatorChannels; c++) begin : g_mod_r1
    assign mod_r1_o[c] = r1_q[c];
  end
  assign done_o            = done_q;
  assign dbg_syn_rdata_o   = syn_mem_q[dbg_syn_addr_i];

  // Bits this core does not read: high address and data bits of the load
  // port, step bits above the slot index, and the fields of the tables that
  // other engines (or nobody) read.
  logic unused_bits;
  assign unused_bits = ^{cfg_addr_i, cfg_wdata_i, in_time_i, in_axon, syn, trace_entry,
                         pre_cfg_x1.unused, pre_cfg_x2.unused, mod_sum};

endmodule
