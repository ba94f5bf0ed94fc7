"""Row scatters (sum and mean) in plain torch, op for op as PyG's `scatter`.

Here rather than imported from torch_geometric so that the models without graph layers
(BiLSTM, the transformer encoder, DialogBERT) and every stage that only loads them never
import torch_geometric: about 2 s of every process start on this machine.
"""
from __future__ import annotations

import torch


def scatter_sum(src: torch.Tensor, index: torch.Tensor, dim_size: int) -> torch.Tensor:
    """Rows of src [N, ...] added into dim_size rows by index [N] -> [dim_size, ...].

    PyG's scatter(reduce="sum") op for op (scatter_add_ of a zero tensor), written here so
    that the models that need no graph layer never import torch_geometric (2 s a process).
    """
    out = src.new_zeros((dim_size, *src.shape[1:]))
    return out.scatter_add_(0, _broadcast(index, src), src)


def scatter_mean(src: torch.Tensor, index: torch.Tensor, dim_size: int) -> torch.Tensor:
    """Mean of the rows of src [N, ...] per index [N] -> [dim_size, ...]; 0 where no row
    (PyG's scatter(reduce="mean"), op for op)."""
    count = src.new_zeros(dim_size).scatter_add_(0, index, src.new_ones(len(index)))
    total = scatter_sum(src, index, dim_size)
    return total / _broadcast(count.clamp(min=1), total)


def _broadcast(index: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """[N] -> like's shape, along dimension 0."""
    return index.view(-1, *([1] * (like.dim() - 1))).expand_as(like)
