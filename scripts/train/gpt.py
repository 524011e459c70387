"""A GPT-2-style decoder (pre-norm blocks, learned positions, GELU MLP, untied output head)
whose parameter names and layouts are those of a Hugging Face GPT2LMHeadModel checkpoint,
so that ctscale-import reads what this trains exactly like a downloaded model."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F


@dataclass(frozen=True)
class Shape:
    d_model: int
    n_layers: int
    n_heads: int
    d_ffn: int
    vocab_size: int
    context: int

    @property
    def name(self) -> str:
        return f"gpt-d{self.d_model}-l{self.n_layers}-ffn{self.d_ffn}-v{self.vocab_size}"

    def hf_config(self) -> dict:
        """config.json as Hugging Face writes it for GPT-2 with an untied head."""
        return {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2",
                "n_embd": self.d_model, "n_layer": self.n_layers, "n_head": self.n_heads,
                "n_inner": self.d_ffn, "n_positions": self.context, "n_ctx": self.context,
                "vocab_size": self.vocab_size, "activation_function": "gelu",
                "layer_norm_epsilon": 1e-5, "tie_word_embeddings": False,
                "torch_dtype": "float32"}

    def as_dict(self) -> dict:
        return asdict(self)


class Block(nn.Module):
    def __init__(self, s: Shape):
        super().__init__()
        self.n_heads = s.n_heads
        self.ln_1 = nn.LayerNorm(s.d_model)
        self.c_attn = nn.Linear(s.d_model, 3 * s.d_model)
        self.attn_proj = nn.Linear(s.d_model, s.d_model)
        self.ln_2 = nn.LayerNorm(s.d_model)
        self.c_fc = nn.Linear(s.d_model, s.d_ffn)
        self.mlp_proj = nn.Linear(s.d_ffn, s.d_model)
        mask = torch.tril(torch.ones(s.context, s.context, dtype=torch.bool))
        self.register_buffer("mask", mask, persistent=False)

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self.c_attn(x).split(d, dim=2)
        heads = lambda y: y.view(b, t, self.n_heads, d // self.n_heads).transpose(1, 2)
        q, k, v = heads(q), heads(k), heads(v)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.n_heads)
        scores = scores.masked_fill(~self.mask[:t, :t], float("-inf"))
        y = F.softmax(scores, dim=-1) @ v
        return self.attn_proj(y.transpose(1, 2).reshape(b, t, d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attention(self.ln_1(x))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))


class GPT(nn.Module):
    def __init__(self, s: Shape):
        super().__init__()
        self.shape = s
        self.wte = nn.Embedding(s.vocab_size, s.d_model)
        self.wpe = nn.Embedding(s.context, s.d_model)
        self.h = nn.ModuleList(Block(s) for _ in range(s.n_layers))
        self.ln_f = nn.LayerNorm(s.d_model)
        self.lm_head = nn.Linear(s.d_model, s.vocab_size, bias=False)
        self.initialise()

    def initialise(self) -> None:
        """GPT-2's initialisation: N(0, 0.02) weights, zero biases, and the two projections
        back into the residual stream scaled by 1/sqrt(2 n_layers)."""
        residual_std = 0.02 / math.sqrt(2 * self.shape.n_layers)
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif ".ln_" in name or name.startswith("ln_f"):
                nn.init.ones_(p)
            elif name.endswith("attn_proj.weight") or name.endswith("mlp_proj.weight"):
                nn.init.normal_(p, 0.0, residual_std)
            else:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.wte(ids) + self.wpe(positions)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))

    def loss(self, ids: torch.Tensor) -> torch.Tensor:
        """Mean next-token cross-entropy (nats) over every position of every window."""
        logits = self.forward(ids[:, :-1])
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def hf_tensors(self) -> dict:
        """Parameters under GPT2LMHeadModel's names; Linear weights inside the blocks are
        stored transposed, as GPT-2's Conv1D keeps them ([in, out])."""
        rename = {"attn_proj": "attn.c_proj", "c_attn": "attn.c_attn", "c_fc": "mlp.c_fc",
                  "mlp_proj": "mlp.c_proj"}
        out = {}
        for name, p in self.state_dict().items():
            t = p.detach().to(torch.float32).contiguous()
            if name.startswith("lm_head"):
                out[name] = t
                continue
            parts = name.split(".")
            if parts[0] == "h" and parts[2] in rename:
                parts[2] = rename[parts[2]]
                if parts[-1] == "weight":
                    t = t.t().contiguous()
            out["transformer." + ".".join(parts)] = t
        return out
