"""sklstm: an LSTM text classifier that behaves like a scikit-learn estimator."""

from ._version import __version__
from .allocator import reuse_freed_memory
from .classifier import LSTMSentimentClassifier
from .explain import show_explanation
from .persistence import InconsistentVersionWarning
from .plotting import plot_history
from .ragged import RaggedSequences
from .text import VocabularyTransformer

__all__ = [
    "InconsistentVersionWarning",
    "LSTMSentimentClassifier",
    "RaggedSequences",
    "VocabularyTransformer",
    "__version__",
    "plot_history",
    "reuse_freed_memory",
    "show_explanation",
]
