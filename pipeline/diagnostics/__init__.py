"""What the evaluate, robustness and case-study stages add on top of the metrics: intra/inter
categories, the shift of a sentence's removal, robustness and evidence, the case study, and
the evaluate stages' settings. Nothing in training imports it."""
