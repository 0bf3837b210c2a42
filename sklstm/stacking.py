"""The stack that ``sklstm compare --stack`` adds: a model and the partner chosen for it.

:class:`PartnerStack` stacks a model with whichever of the other models is most accurate in a
cross-validation on the texts it is fitted on, so that a comparison never chooses the partner
by the texts it scores the stack on.
"""

from collections import Counter

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import StackingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score

__all__ = ["PARTNER_FOLDS", "PartnerStack", "stack_name"]

# Folds of the cross-validation on the training texts that chooses the stacking partner.
PARTNER_FOLDS = 5


class PartnerStack(ClassifierMixin, BaseEstimator):
    """Stacks ``base`` with the candidate most accurate in cross-validation on the texts fitted.

    The partner is chosen in ``fit``, from the training texts alone, so that a comparison
    never chooses it by the texts it scores it on.

    Parameters
    ----------
    base : tuple of (str, estimator)
        The model to stack, by name.
    candidates : list of (str, estimator)
        The models to choose its partner from, by name; the first wins a tie.

    Attributes
    ----------
    partner_ : str
        The name of the chosen candidate.
    stack_ : StackingClassifier
        The fitted stack of ``base`` and the partner.
    classes_ : ndarray
        The class labels.
    """

    def __init__(self, base, candidates):
        self.base = base
        self.candidates = candidates

    def fit(self, X, y):
        # Shuffled and seeded, as the comparison's own folds, for files sorted by label or date.
        folds = StratifiedKFold(PARTNER_FOLDS, shuffle=True, random_state=0)
        accuracy = [cross_val_score(model, X, y, cv=folds).mean() for _, model in self.candidates]
        self.partner_, partner = self.candidates[int(np.argmax(accuracy))]
        base_name, base = self.base
        self.stack_ = StackingClassifier(
            [(base_name, clone(base)), (self.partner_, clone(partner))]
        ).fit(X, y)
        self.classes_ = self.stack_.classes_
        return self

    def predict(self, X):
        return self.stack_.predict(X)


def stack_name(base, partners):
    # Cross-validation folds may choose different partners: the most often chosen first.
    chosen = "|".join(name for name, _ in Counter(partners).most_common())
    return f"stack({base}+{chosen} chosen by train CV)"
