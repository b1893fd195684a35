"""A small causal transformer trained from scratch to complete the task prompts."""
import torch
from torch import nn


class Block(nn.Module):
    """Pre-norm transformer block; with layernorm=False the norms are identities."""

    def __init__(self, d_model, heads, layernorm):
        super().__init__()
        norm = (lambda: nn.LayerNorm(d_model)) if layernorm else nn.Identity
        self.norm1, self.norm2 = norm(), norm()
        self.attn = nn.MultiheadAttention(d_model, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(),
                                 nn.Linear(4 * d_model, d_model))

    def forward(self, x, causal_mask):
        """x (B, T, d) -> residual stream after this block (B, T, d)."""
        h = self.norm1(x)
        x = x + self.attn(h, h, h, attn_mask=causal_mask, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


class TinyLM(nn.Module):
    """Token + position embedding, `layers` blocks, (optional) final norm, unembedding."""

    def __init__(self, vocab_size, max_len, d_model=64, layers=6, heads=4, layernorm=True):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        self.position = nn.Embedding(max_len, d_model)
        self.blocks = nn.ModuleList(Block(d_model, heads, layernorm) for _ in range(layers))
        self.final_norm = nn.LayerNorm(d_model) if layernorm else nn.Identity()
        self.unembed = nn.Linear(d_model, vocab_size)

    def forward(self, ids):
        """ids (B, T) -> (logits (B, T, V), hidden states (layers+1, B, T, d)):
        hidden state 0 is the embedding, i the residual stream after block i."""
        T = ids.shape[1]
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        x = self.embed(ids) + self.position(torch.arange(T))
        states = [x]
        for block in self.blocks:
            x = block(x, mask)
            states.append(x)
        return self.unembed(self.final_norm(x)), torch.stack(states)


def encode_prompts(docs, token_id, max_len):
    """Left-padded id matrix (N, max_len) of the prompts (pad id 0 = ':' is harmless:
    the answer is read at the last position, which is always a real token)."""
    ids = torch.zeros(len(docs), max_len, dtype=torch.long)
    for i, d in enumerate(docs):
        t = [token_id[w] for w in d.tokens]
        ids[i, max_len - len(t):] = torch.tensor(t)
    return ids


def train_lm(model, ids, answers, steps, batch, lr, seed):
    """Adam on the cross-entropy of the answer at the last position; returns the model."""
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    model.train()
    for _ in range(steps):
        pick = torch.randint(0, len(ids), (batch,), generator=g)
        logits, _ = model(ids[pick])
        loss = nn.functional.cross_entropy(logits[:, -1], answers[pick])
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
    model.eval()
    return model


@torch.no_grad()
def run_lm(model, ids, allowed, batch=512):
    """(predicted token ids (N,) restricted to the `allowed` ids (concept words),
    hidden states of the last position (N, layers+1, d))."""
    preds, states = [], []
    for s in range(0, len(ids), batch):
        logits, hs = model(ids[s:s + batch])
        last = logits[:, -1, allowed]
        preds.append(allowed[last.argmax(-1)])
        states.append(hs[:, :, -1].transpose(0, 1))
    return torch.cat(preds), torch.cat(states)
