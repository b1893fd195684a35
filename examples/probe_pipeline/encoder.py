"""The probe's encoder: an MLP from residual features to the D-dimensional VSA
encoding, trained with the paper's objective (BCE-with-logits on (t + 1) / 2 plus
0.1 x MSE on t, AdamW, dropout)."""
import numpy as np
import torch
from torch import nn

import hypervec as hv


def vsa_targets(docs, codebook, label_row):
    """float32 (N, D) ±1: normalize(a⊙b + c⊙d) with hypervec's MAP verbs, ties to -1
    (hard_quantize, as torchhd's MAP normalize)."""
    out = np.empty((len(docs), codebook.shape[1]), dtype=np.float32)
    F = hv.functional
    for i, d in enumerate(docs):
        a, b, c = (codebook[label_row[w]] for w in d.context)
        t = codebook[label_row[d.target]]
        pairs = np.stack([F.bind(a, b, "MAP"), F.bind(c, t, "MAP")])
        out[i] = F.hard_quantize(F.multiset(pairs, "MAP"), "MAP")
    return out


class Encoder(nn.Module):
    """Standardised features -> hidden -> D logits (the sign is the probe's vector)."""

    def __init__(self, d_in, d_out, hidden, dropout):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(hidden, hidden), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(hidden, d_out))

    def forward(self, x):
        return self.net(x)


def probe_loss(pred, target):
    """The paper's objective: BCEWithLogits(pred, (t+1)/2) + 0.1 * MSE(pred, t)."""
    return (nn.functional.binary_cross_entropy_with_logits(pred, (target + 1) / 2)
            + 0.1 * nn.functional.mse_loss(pred, target))


def train_encoder(feats, targets, hidden, epochs, batch, lr, dropout, seed):
    """Trains an Encoder on (feats (N, d), targets (N, D)); returns (encoder, mean, std)
    where mean/std standardise the features (train statistics)."""
    torch.manual_seed(seed)
    mean, std = feats.mean(0), feats.std(0) + 1e-6
    x, y = (feats - mean) / std, torch.from_numpy(targets)
    enc = Encoder(x.shape[1], y.shape[1], hidden, dropout)
    opt = torch.optim.AdamW(enc.parameters(), lr=lr, weight_decay=1e-4)
    g = torch.Generator().manual_seed(seed)
    enc.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=g)
        for s in range(0, len(x), batch):
            pick = order[s:s + batch]
            loss = probe_loss(enc(x[pick]), y[pick])
            opt.zero_grad()
            loss.backward()
            opt.step()
    enc.eval()
    return enc, mean, std


@torch.no_grad()
def encode(enc, mean, std, feats):
    """float32 (N, D) ±1: sign of the encoder output (0 -> -1)."""
    out = enc((feats - mean) / std)
    return torch.where(out > 0, 1.0, -1.0).numpy().astype(np.float32)
