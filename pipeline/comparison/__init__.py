"""The controlled comparison of SIEF: fine-tuning arms with one budget, paired by seed, their
epoch and threshold chosen by two-fold cross-fitting on the dev documents."""
