"""Time to tokenise and to predict one 1,000,000-character text, against a 400-token one.

The network reads at most ``max_len`` tokens of any text, so its share is bounded; the
tokenizer reads the whole text, so its share grows with the text. Each time is the best of
``--repeat`` runs, with one torch thread and the default (untrained) model sizes.

    python benchmarks/long_text.py
"""

import argparse
import time

import torch
from common import machine

from sklstm import LSTMSentimentClassifier, VocabularyTransformer
from sklstm.text import tokenize

WORDS = "the film was great and the plot was awful "
TRAIN = ["the film was great", "the plot was awful"] * 8


def best_seconds(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    huge = (WORDS * (args.chars // len(WORDS) + 1))[: args.chars]
    short = " ".join(["film"] * 400)
    vectorizer = VocabularyTransformer(min_df=1).fit(TRAIN)
    clf = LSTMSentimentClassifier(min_df=1, max_iter=1, random_state=0).fit(TRAIN, [1, 0] * 8)
    rows = {
        f"tokenize ({len(tokenize(huge))} tokens)": lambda: tokenize(huge.lower()),
        "VocabularyTransformer.transform": lambda: vectorizer.transform([huge]),
        "predict_proba": lambda: clf.predict_proba([huge]),
        "predict_proba, 400-token text": lambda: clf.predict_proba([short]),
    }
    print(f"{args.chars:,}-character text, best of {args.repeat}; {machine()}")
    for name, function in rows.items():
        print(f"{name:40s} {best_seconds(function, args.repeat):.3f} s")


if __name__ == "__main__":
    main()
