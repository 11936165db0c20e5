// The learning engine of docs/numerics.md §8 (phase 4), run by the core at
// the end of an epoch: it visits the input axons 0 .. axon_count_i-1, and for
// each learning axon every plastic synapse of its row, executes the terms of
// the axon's rule from the microcode (one term per cycle, through
// engram_learning_term), and writes the clamped weight, its fraction and the
// saturated tag back into synapse memory.
//
// Cycles of one pass, one memory access per cycle:
//   1 per axon visited (the axon-table lookup; a row without learning ends there),
//   1 per non-plastic synapse word of a learning row,
//   4 + num_terms per plastic synapse: read the SynapseWord, read the
//     PlasticWord (and latch the operands: W, the decayed tag T, the pre,
//     post and modulator traces and flags), one cycle per term, write the
//     SynapseWord (new weight), write the PlasticWord (fraction and tag).
// The axon's x0e is cleared when the engine leaves it (numerics §8: flags
// are cleared after phase 4).

module engram_learning_engine
  import engram_isa_pkg::*;
  import engram_core_pkg::*;
#(
  parameter int unsigned NumNeurons  = 256,   // neurons per core (a power of two)
  parameter int unsigned NumAxons    = 256,   // input axons
  parameter int unsigned NumSynWords = 4096   // 32-bit synapse-memory words
) (
  input  logic                                 clk_i,            // clock
  input  logic                                 rst_ni,           // asynchronous reset, active low

  // Control.
  input  logic                                 start_i,          // begin a pass (the engine is idle)
  input  logic [AxonCntWidth-1:0]              axon_count_i,     // axons the pass visits (>= 1)
  output logic                                 done_o,           // the pass ends in this cycle

  // Axon table and the axon's pre-synaptic state, read at axon_o.
  output logic [AxonIdxWidth-1:0]              axon_o,           // the axon being visited
  input  axon_entry_t                          axon_entry_i,     // its axon-table entry
  input  pre_trace_state_t                     pre_i,            // its x1, x2 (after phase 3)
  input  logic                                 x0e_i,            // its epoch flag x0e
  output logic                                 x0e_clear_o,      // clear axon_o's x0e in this cycle

  // Rule and microcode tables.
  output logic [AxonEntryRuleWidth-1:0]        rule_idx_o,       // rule read (the axon's)
  input  learning_rule_t                       rule_i,           // rule_idx_o's rule
  output logic [LearningRuleFirstTermWidth-1:0] term_idx_o,      // microcode word read
  input  learning_term_t                       term_i,           // term_idx_o's term

  // Post-synaptic neuron and modulator channel of the current synapse.
  output logic [NeuronIdxWidth-1:0]            post_o,           // the synapse's target neuron
  input  neuron_state_t                        post_state_i,     // its registers (y1..y3 read)
  input  logic                                 y0e_i,            // its epoch flag y0e
  output logic [AxonEntryModulatorChannelWidth-1:0] channel_o,   // the rule's modulator channel
  input  logic [TraceWidth-1:0]                r1_i,             // its trace r1
  input  logic                                 r0e_i,            // its epoch flag r0e

  // Synapse memory: one access per cycle (combinational read).
  output logic [SynIdxWidth-1:0]               syn_addr_o,       // word read or written
  input  logic [SynapseWordWidth-1:0]          syn_rdata_i,      // syn_addr_o's word
  output logic                                 syn_we_o,         // write syn_wdata_o at syn_addr_o
  output logic [SynapseWordWidth-1:0]          syn_wdata_o,      // the word written

  // Observation, registered: one plastic synapse after its write-back.
  output logic                                 obs_valid_o,      // obs_* hold a synapse just written
  output logic [SynIdxWidth-1:0]               obs_addr_o,       // address of its SynapseWord
  output synapse_word_t                        obs_syn_o,        // its SynapseWord
  output plastic_word_t                        obs_plastic_o     // its PlasticWord
);

  // --- Derived widths ---------------------------------------------------------
  localparam int unsigned NeuronIdxWidth = $clog2(NumNeurons);
  localparam int unsigned AxonIdxWidth   = $clog2(NumAxons);
  localparam int unsigned AxonCntWidth   = AxonIdxWidth + 1;
  localparam int unsigned SynIdxWidth    = $clog2(NumSynWords);
  localparam int unsigned RowEndWidth    = AxonEntryRowBaseWidth + 1;  // row_base + row_len
  localparam int unsigned TermCntWidth   = LearningRuleNumTermsWidth;
  localparam int signed   TagMax         = (1 <<< (TagWidth - 1)) - 1;
  localparam int signed   TagMin         = -(1 <<< (TagWidth - 1));

  typedef enum logic [2:0] {
    LIdle,
    LAxon,          // read the axon entry; a learning row starts, any other axon is passed
    LSynWord,       // read a SynapseWord of the row
    LPlasticWord,   // read its PlasticWord, latch the operands
    LTerm,          // one term per cycle
    LWriteSyn,      // write the SynapseWord with the new weight
    LWritePlastic   // write the PlasticWord with the new fraction and tag
  } lstate_e;

  lstate_e                        st_q, st_d;
  logic [AxonIdxWidth-1:0]        axon_q, axon_d;
  logic [RowEndWidth-1:0]         ptr_q, ptr_d;      // the current SynapseWord
  logic [RowEndWidth-1:0]         end_q, end_d;      // end of the row
  learning_rule_t                 rule_q, rule_d;
  synapse_word_t                  syn_q, syn_d;
  plastic_word_t                  plastic_q, plastic_d;
  learn_operands_t                ops_q, ops_d;
  logic [TermCntWidth-1:0]        term_q, term_d;    // term index within the rule
  logic signed [LearnSumWidth-1:0] dw_q, dw_d, dt_q, dt_d;

  logic                           obs_valid_q, obs_valid_d;
  logic [SynIdxWidth-1:0]         obs_addr_q, obs_addr_d;
  synapse_word_t                  obs_syn_q, obs_syn_d;
  plastic_word_t                  obs_plastic_q, obs_plastic_d;

  // --- Datapath ----------------------------------------------------------------
  synapse_word_t                  syn_rd;
  plastic_word_t                  plastic_rd;
  logic [RowEndWidth-1:0]         ptr_plastic;       // the PlasticWord's address
  logic [RowEndWidth-1:0]         ptr_next;          // the next synapse after a non-plastic one
  logic                           plastic_here;      // a plastic synapse whose PlasticWord is in the row
  logic                           last_axon;
  logic signed [TermWidth-1:0]    term_value;

  assign syn_rd       = synapse_word_t'(syn_rdata_i);
  assign plastic_rd   = plastic_word_t'(syn_rdata_i);
  assign ptr_plastic  = ptr_q + RowEndWidth'(1);
  assign ptr_next     = ptr_q + (syn_rd.plastic ? RowEndWidth'(2) : RowEndWidth'(1));
  assign plastic_here = syn_rd.plastic && ptr_plastic < end_q;
  assign last_axon    = AxonCntWidth'(axon_q) + 1'b1 >= axon_count_i;

  engram_learning_term u_term (
    .valid_i    (st_q == LTerm),
    .term_i     (term_i),
    .operands_i (ops_q),
    .value_o    (term_value)
  );

  // The update (numerics §8): W' = clamp(W + dw, w_min·256, w_max·256 + 255),
  // tag' = sat16(T + dt).
  logic signed [LearnSumWidth-1:0] w_sum, w_lo, w_hi, w_new, t_sum;
  logic signed [TagWidth-1:0]      t_new;

  // Only in the write-back cycles (operand isolation, as in the term).
  always_comb begin
    w_sum = '0;
    w_lo  = '0;
    w_hi  = '0;
    w_new = '0;
    t_sum = '0;
    t_new = '0;
    if (st_q == LWriteSyn || st_q == LWritePlastic) begin
      w_sum = LearnSumWidth'(ops_q.w) + dw_q;
      w_lo  = LearnSumWidth'($signed({rule_q.w_min, {LearnFracBits{1'b0}}}));
      w_hi  = LearnSumWidth'($signed({rule_q.w_max, {LearnFracBits{1'b1}}}));
      w_new = w_sum < w_lo ? w_lo : w_sum > w_hi ? w_hi : w_sum;
      t_sum = LearnSumWidth'(ops_q.t) + dt_q;
      t_new = t_sum > LearnSumWidth'(TagMax) ? TagWidth'(TagMax) :
              t_sum < LearnSumWidth'(TagMin) ? TagWidth'(TagMin) : t_sum[TagWidth-1:0];
    end
  end

  // --- Control -------------------------------------------------------------------
  always_comb begin
    st_d          = st_q;
    axon_d        = axon_q;
    ptr_d         = ptr_q;
    end_d         = end_q;
    rule_d        = rule_q;
    syn_d         = syn_q;
    plastic_d     = plastic_q;
    ops_d         = ops_q;
    term_d        = term_q;
    dw_d          = dw_q;
    dt_d          = dt_q;
    obs_valid_d   = 1'b0;
    obs_addr_d    = obs_addr_q;
    obs_syn_d     = obs_syn_q;
    obs_plastic_d = obs_plastic_q;
    done_o        = 1'b0;
    x0e_clear_o   = 1'b0;
    syn_addr_o    = ptr_q[SynIdxWidth-1:0];
    syn_we_o      = 1'b0;
    syn_wdata_o   = syn_rdata_i;

    // Where a row ends (LAxon, LSynWord, LWritePlastic) the engine leaves the
    // axon: it clears the axon's x0e and goes on to the next axon or finishes.
    unique case (st_q)
      LIdle: begin
        if (start_i) begin
          st_d   = LAxon;
          axon_d = '0;
        end
      end
      LAxon: begin
        if (axon_entry_i.learning && !axon_entry_i.modulator && axon_entry_i.row_len != '0) begin
          st_d   = LSynWord;
          ptr_d  = RowEndWidth'(axon_entry_i.row_base);
          end_d  = RowEndWidth'(axon_entry_i.row_base) + RowEndWidth'(axon_entry_i.row_len);
          rule_d = rule_i;
        end else begin
          x0e_clear_o = 1'b1;
          axon_d      = axon_q + 1'b1;
          if (last_axon) begin
            st_d   = LIdle;
            done_o = 1'b1;
          end
        end
      end
      LSynWord: begin
        if (plastic_here) begin
          st_d  = LPlasticWord;
          syn_d = syn_rd;
        end else begin
          ptr_d = ptr_next;
          if (ptr_next >= end_q) begin
            x0e_clear_o = 1'b1;
            axon_d      = axon_q + 1'b1;
            st_d        = last_axon ? LIdle : LAxon;
            done_o      = last_axon;
          end
        end
      end
      LPlasticWord: begin
        syn_addr_o = ptr_plastic[SynIdxWidth-1:0];
        plastic_d  = plastic_rd;
        ops_d.x0   = x0e_i;
        ops_d.y0   = y0e_i;
        ops_d.r0   = r0e_i;
        ops_d.x1   = pre_i.x1;
        ops_d.x2   = pre_i.x2;
        ops_d.y1   = post_state_i.y1;
        ops_d.y2   = post_state_i.y2;
        ops_d.y3   = post_state_i.y3;
        ops_d.r1   = r1_i;
        ops_d.w    = $signed({syn_q.weight, plastic_rd.weight_frac});
        ops_d.t    = TagWidth'(decay_state(StateWidth'(plastic_rd.tag), rule_q.tag_decay));
        term_d     = '0;
        dw_d       = '0;
        dt_d       = '0;
        st_d       = rule_q.num_terms != '0 ? LTerm : LWriteSyn;
      end
      LTerm: begin
        if (term_i.target == LearnTargetWeight) begin
          dw_d = dw_q + LearnSumWidth'(term_value);
        end else begin
          dt_d = dt_q + LearnSumWidth'(term_value);
        end
        term_d = term_q + 1'b1;
        if (term_q + 1'b1 >= rule_q.num_terms) begin
          st_d = LWriteSyn;
        end
      end
      LWriteSyn: begin
        syn_we_o    = 1'b1;
        syn_wdata_o = {syn_q[SynapseWordWidth-1:SynapseWordWeightWidth],
                       w_new[LearnWWidth-1:LearnFracBits]};
        st_d        = LWritePlastic;
      end
      LWritePlastic: begin
        syn_addr_o    = ptr_plastic[SynIdxWidth-1:0];
        syn_we_o      = 1'b1;
        syn_wdata_o   = {plastic_q.unused, w_new[LearnFracBits-1:0], t_new};
        obs_valid_d   = 1'b1;
        obs_addr_d    = ptr_q[SynIdxWidth-1:0];
        obs_syn_d     = syn_q;
        obs_syn_d.weight = w_new[LearnWWidth-1:LearnFracBits];
        obs_plastic_d = plastic_word_t'({plastic_q.unused, w_new[LearnFracBits-1:0], t_new});
        ptr_d         = ptr_q + RowEndWidth'(2);
        st_d          = LSynWord;
        if (ptr_q + RowEndWidth'(2) >= end_q) begin
          x0e_clear_o = 1'b1;
          axon_d      = axon_q + 1'b1;
          st_d        = last_axon ? LIdle : LAxon;
          done_o      = last_axon;
        end
      end
      default: st_d = LIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q          <= LIdle;
      axon_q        <= '0;
      ptr_q         <= '0;
      end_q         <= '0;
      rule_q        <= '0;
      syn_q         <= '0;
      plastic_q     <= '0;
      ops_q         <= '0;
      term_q        <= '0;
      dw_q          <= '0;
      dt_q          <= '0;
      obs_valid_q   <= 1'b0;
      obs_addr_q    <= '0;
      obs_syn_q     <= '0;
      obs_plastic_q <= '0;
    end else begin
      st_q          <= st_d;
      axon_q        <= axon_d;
      ptr_q         <= ptr_d;
      end_q         <= end_d;
      rule_q        <= rule_d;
      syn_q         <= syn_d;
      plastic_q     <= plastic_d;
      ops_q         <= ops_d;
      term_q        <= term_d;
      dw_q          <= dw_d;
      dt_q          <= dt_d;
      obs_valid_q   <= obs_valid_d;
      obs_addr_q    <= obs_addr_d;
      obs_syn_q     <= obs_syn_d;
      obs_plastic_q <= obs_plastic_d;
    end
  end

  // --- Table addresses and outputs ------------------------------------------------
  assign axon_o        = axon_q;
  assign rule_idx_o    = axon_entry_i.rule;
  assign term_idx_o    = rule_q.first_term + LearningRuleFirstTermWidth'(term_q);
  assign post_o        = syn_q.target[NeuronIdxWidth-1:0];
  assign channel_o     = rule_q.modulator;
  assign obs_valid_o   = obs_valid_q;
  assign obs_addr_o    = obs_addr_q;
  assign obs_syn_o     = obs_syn_q;
  assign obs_plastic_o = obs_plastic_q;

  // Fields the engine does not read: the rule's epoch (the core counts
  // epochs), the high bits of W and T sums (clamped above), the rest of the
  // axon entry and of the post neuron's registers.
  logic unused_bits;
  assign unused_bits = ^{rule_q.epoch, rule_q.unused, w_new, axon_entry_i, post_state_i, syn_q,
                         plastic_rd.unused, ptr_q, term_i};

endmodule
