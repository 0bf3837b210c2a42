"""Time of the default word2vec step on the IMDB training texts, skip-gram against CBOW.

``LSTMSentimentClassifier(pretrained_embeddings="word2vec")`` (what the default, ``"auto"``,
uses from 1.5 million training tokens on, as on IMDB's) first learns a vector per vocabulary
word from the training texts with gensim, on one thread. This times
that step alone, for both word2vec architectures, on the same tokens.

    python benchmarks/word2vec.py
"""

import argparse
import time

from common import load_imdb, save
from gensim.models import Word2Vec
from gensim.utils import RULE_DISCARD, RULE_KEEP

from sklstm import VocabularyTransformer
from sklstm.embeddings import train_word_vectors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N training texts")
    args = parser.parse_args()
    texts, _ = load_imdb("train", args.limit)
    vectorizer = VocabularyTransformer().fit(texts)
    tokens = vectorizer.analyze(texts)
    vocabulary = vectorizer.vocabulary_

    def skip_gram():
        # train_word_vectors' settings with sg=1, the architecture it used before CBOW.
        def keep(word, count, min_count):
            return RULE_KEEP if word in vocabulary else RULE_DISCARD

        Word2Vec(tokens, vector_size=128, sg=1, min_count=1, trim_rule=keep, workers=1, seed=0)

    def cbow():
        train_word_vectors(tokens, vocabulary, 128, seed=0)

    rows = []
    for name, run in [("cbow (sklstm's)", cbow), ("skip-gram", skip_gram)]:
        start = time.perf_counter()
        run()
        seconds = time.perf_counter() - start
        n_tokens = sum(map(len, tokens))
        rows.append({"word2vec": name, "texts": len(texts), "tokens": n_tokens, "seconds": seconds})
    save(rows, "word2vec", small=args.limit is not None, settings=f"limit={args.limit}")


if __name__ == "__main__":
    main()
