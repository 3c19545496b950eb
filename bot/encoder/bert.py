"""A BERT encoder's forward pass in NumPy, with mean pooling: sentence-transformers'
all-MiniLM-L6-v2 without PyTorch or TensorFlow.

Why NumPy: a short chat message is a 10-30 token sequence through six 384-wide layers,
a few hundred million floating-point operations that BLAS does in milliseconds. Eager
TensorFlow spends most of a message on per-operation overhead, and a compiled graph
would add seconds at start-up and a second copy of the weights; NumPy runs the same
arithmetic with no framework between the message and BLAS (bench/encoder_speed.py has
the measurements, docs/pretrained-encoder.md the comparison).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

# sentence-transformers encodes this model's inputs up to 256 word pieces; longer text
# is cut there, as upstream does.
MAX_TOKENS = 256


def _layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(-1, keepdims=True)
    return centred / np.sqrt(var + eps) * gain + bias


class SentenceEncoder:
    """Mean-pooled, L2-normalised sentence embeddings from a BERT checkpoint folder
    (``config.json``, ``model.safetensors``, ``tokenizer.json``)."""

    def __init__(self, directory: Path, max_tokens: int = MAX_TOKENS) -> None:
        from safetensors.numpy import load_file
        from scipy.special import erf
        from tokenizers import Tokenizer

        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        pooling = json.loads((directory / "1_Pooling" / "config.json").read_text("utf-8"))
        if not pooling.get("pooling_mode_mean_tokens") or config.get("hidden_act") != "gelu":
            raise ValueError(f"{directory} is not a mean-pooled BERT encoder with GELU")
        self._erf = erf
        self._threads: Any = None  # threadpoolctl's controller, made on first use
        self.dimension: int = int(config["hidden_size"])
        self._heads: int = int(config["num_attention_heads"])
        self._eps: float = float(config["layer_norm_eps"])
        self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        # The file pads every input to 128 pieces; pad per batch instead.
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_tokens)
        weights = load_file(str(directory / "model.safetensors"))
        self._words = weights["embeddings.word_embeddings.weight"]
        # Token type 0 for every piece (single sentences), folded into the positions.
        self._positions = (
            weights["embeddings.position_embeddings.weight"]
            + weights["embeddings.token_type_embeddings.weight"][0]
        )
        self._embed_norm = (
            weights["embeddings.LayerNorm.weight"],
            weights["embeddings.LayerNorm.bias"],
        )
        self._layers = [
            self._layer(weights, f"encoder.layer.{i}.") for i in range(config["num_hidden_layers"])
        ]

    @staticmethod
    def _layer(weights: dict[str, np.ndarray], prefix: str) -> dict[str, Any]:
        """One layer's matrices as (in, out) views of the stored (out, in) arrays, with
        query, key and value fused into one product. The views cost no copy, and BLAS
        reads the stored order faster for the few rows of a chat message than a
        transposed copy (bench/encoder_speed.py)."""

        def w(name: str) -> np.ndarray:
            return weights[prefix + name]

        return {
            "qkv": np.concatenate(
                [w(f"attention.self.{n}.weight") for n in ("query", "key", "value")]
            ).T,
            "qkv_bias": np.concatenate(
                [w(f"attention.self.{n}.bias") for n in ("query", "key", "value")]
            ),
            "out": w("attention.output.dense.weight").T,
            "out_bias": w("attention.output.dense.bias"),
            "norm1": (w("attention.output.LayerNorm.weight"), w("attention.output.LayerNorm.bias")),
            "up": w("intermediate.dense.weight").T,
            "up_bias": w("intermediate.dense.bias"),
            "down": w("output.dense.weight").T,
            "down_bias": w("output.dense.bias"),
            "norm2": (w("output.LayerNorm.weight"), w("output.LayerNorm.bias")),
        }

    def pieces(self, text: str) -> list[str]:
        """The word pieces the encoder reads for ``text`` (with [CLS] and [SEP])."""
        return self._tokenizer.encode(text).tokens

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """One unit-length row per text. Texts are batched by length so that little
        time goes on padding; the rows come back in the order given.

        A single text (a live message) runs BLAS on one thread: for a few rows the threads'
        hand-over costs more than it saves (bench/encoder_speed.py), and the other core
        stays free for the rest of the turn and for other people's messages.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) == 1:
            with self._one_thread():
                return self._embed(texts, batch_size)
        return self._embed(texts, batch_size)

    def _one_thread(self):
        if self._threads is None:
            from threadpoolctl import ThreadpoolController

            self._threads = ThreadpoolController()
        return self._threads.limit(limits=1, user_api="blas")

    def _embed(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        encodings = self._tokenizer.encode_batch([t if t else " " for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            out[chunk] = self._forward([encodings[i].ids for i in chunk])
        return out

    def _forward(self, ids_list: list[list[int]]) -> np.ndarray:
        batch, length = len(ids_list), max(len(ids) for ids in ids_list)
        ids = np.zeros((batch, length), dtype=np.int64)
        mask = np.zeros((batch, length), dtype=np.float32)
        for row, piece_ids in enumerate(ids_list):
            ids[row, : len(piece_ids)] = piece_ids
            mask[row, : len(piece_ids)] = 1.0
        x = self._words[ids] + self._positions[:length]
        x = _layer_norm(x, *self._embed_norm, self._eps)
        heads, width, eps = self._heads, self.dimension // self._heads, self._eps
        blocked = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / math.sqrt(width))
        for layer in self._layers:
            qkv = x @ layer["qkv"] + layer["qkv_bias"]
            qkv = qkv.reshape(batch, length, 3, heads, width).transpose(2, 0, 3, 1, 4)
            query, key, value = qkv[0], qkv[1], qkv[2]
            scores = (query @ key.transpose(0, 1, 3, 2)) * scale + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ value).transpose(0, 2, 1, 3).reshape(batch, length, -1)
            attended = context @ layer["out"] + layer["out_bias"] + x
            x = _layer_norm(attended, *layer["norm1"], self._eps)
            hidden = x @ layer["up"] + layer["up_bias"]
            hidden = 0.5 * hidden * (1.0 + self._erf(hidden * np.float32(1 / math.sqrt(2))))
            x = _layer_norm(hidden @ layer["down"] + layer["down_bias"] + x, *layer["norm2"], eps)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
