"""How fast the sentence encoder runs: NumPy (as shipped) against a compiled TensorFlow
graph of the same network, per chat message and for training batches.

    python bench/encoder_speed.py [--repeats 200]

Prints milliseconds per message (median and p95) for short, typical and long messages,
with BLAS on one thread and on all threads, the same for a ``tf.function`` graph built
from the same weights, the time to embed the training data, and load time and memory.
docs/pretrained-encoder.md records a run and why NumPy was chosen.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MESSAGES = {
    "short (4 words)": "my feet are numb",
    "typical (18 words)": (
        "my dad has been using nos every day and now he can't stand up, what do I do"
    ),
    "long (60 words)": " ".join(
        ["I've been tired for months, my hands and feet tingle, I'm vegan and my mum had"]
        * 4
    ),
}


def timed(function, repeats: int) -> tuple[float, float]:
    function()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def tensorflow_graph(model):
    """The same forward pass as a compiled TensorFlow graph (weights as constants)."""
    import numpy as np
    import tensorflow as tf

    heads, width = model._heads, model.dimension // model._heads
    words = tf.constant(model._words)
    positions = tf.constant(model._positions)
    layers = [{k: tf.constant(v) if not isinstance(v, tuple) else tuple(map(tf.constant, v))
               for k, v in layer.items()} for layer in model._layers]
    eps = model._eps
    embed_norm = tuple(map(tf.constant, model._embed_norm))

    def norm(x, gain_bias):
        mean, var = tf.nn.moments(x, axes=[-1], keepdims=True)
        return (x - mean) / tf.sqrt(var + eps) * gain_bias[0] + gain_bias[1]

    @tf.function(input_signature=[tf.TensorSpec([None], tf.int64)])
    def forward(ids):
        length = tf.shape(ids)[0]
        x = norm(tf.gather(words, ids) + positions[:length], embed_norm)
        for layer in layers:
            qkv = tf.matmul(x, layer["qkv"]) + layer["qkv_bias"]
            qkv = tf.reshape(qkv, [length, 3, heads, width])
            q, k, v = (tf.transpose(qkv[:, i], [1, 0, 2]) for i in range(3))
            att = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) / np.sqrt(width))
            ctx = tf.reshape(tf.transpose(tf.matmul(att, v), [1, 0, 2]), [length, -1])
            x = norm(tf.matmul(ctx, layer["out"]) + layer["out_bias"] + x, layer["norm1"])
            h = tf.nn.gelu(tf.matmul(x, layer["up"]) + layer["up_bias"], approximate=False)
            x = norm(tf.matmul(h, layer["down"]) + layer["down_bias"] + x, layer["norm2"])
        pooled = tf.reduce_mean(x, axis=0)
        return pooled / tf.norm(pooled)

    return forward


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--skip-tensorflow", action="store_true")
    parser.add_argument("--skip-training-data", action="store_true")
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    from bot.encoder import encoder

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    model = encoder()
    load_s = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"load {load_s:.2f} s, peak RSS {rss_before:.0f} -> {rss_after:.0f} MB")
    print(f"{'message':22s} {'pieces':>6s}  {'numpy 1 thread':>18s}  {'numpy all threads':>18s}"
          f"  {'tf.function':>18s}")
    graph = None if args.skip_tensorflow else tensorflow_graph(model)
    for label, text in MESSAGES.items():
        pieces = len(model.pieces(text))
        with threadpool_limits(1):
            one = timed(lambda t=text: model.embed([t]), args.repeats)
        every = timed(lambda t=text: model.embed([t]), args.repeats)
        cells = [f"{one[0]:7.1f} / {one[1]:7.1f}", f"{every[0]:7.1f} / {every[1]:7.1f}"]
        if graph is not None:
            import numpy as np
            import tensorflow as tf

            ids = tf.constant(model._tokenizer.encode(text).ids, dtype=tf.int64)
            tf_ms = timed(lambda i=ids: graph(i).numpy(), args.repeats)
            agree = float(np.dot(graph(ids).numpy(), model.embed([text])[0]))
            cells.append(f"{tf_ms[0]:7.1f} / {tf_ms[1]:7.1f} (cos {agree:.6f})")
        print(f"{label:22s} {pieces:6d}  " + "  ".join(f"{c:>18s}" for c in cells))
    print("(milliseconds per message: median / p95)")
    if not args.skip_training_data:
        sys.path.insert(0, str(ROOT / "tests" / "intents"))
        from test_intent_data import examples_by_intent

        texts = [t for examples in examples_by_intent().values() for t in examples]
        start = time.perf_counter()
        model.embed(texts, batch_size=32)
        print(f"training data: {len(texts)} examples embedded in "
              f"{time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
