"""The paper's tables and figures from the pipeline's metrics files."""
