"""Why a text got its class: integrated-gradients attributions per token, and an HTML view."""

import html
from pathlib import Path

import torch


def integrated_gradients(network, ids, target, n_steps):
    """Attribution of each step of one text to the log-odds of class ``target``.

    Integrated gradients (Sundararajan, Taly & Yan, 2017) on the input vectors: the
    gradient of the log-odds is averaged along the straight path from a baseline of zero
    vectors (a text of the same length that carries no information: the padding vector) to
    the text's own input vectors, then multiplied by the input. The scores add up to the
    log-odds of the text minus that of the baseline, up to the error of the ``n_steps``-point
    midpoint rule.

    Parameters
    ----------
    network : LSTMTextNetwork
    ids : LongTensor of shape (1, T) or (1, T, C)
        One text's ids, unpadded.
    target : int
        Class index whose log-odds are explained.
    n_steps : int
        Points on the path.

    Returns
    -------
    scores : Tensor of shape (T,)
    log_odds_change : float
        Log-odds of the text minus log-odds of the baseline, which ``scores`` sum to.
    """
    network.eval()
    with torch.no_grad():
        inputs = network.embed(ids)  # (1, T, E)
    lengths = torch.full((n_steps,), ids.size(1), device=ids.device)
    alphas = (torch.arange(n_steps, device=ids.device) + 0.5) / n_steps
    path = (alphas[:, None, None] * inputs).requires_grad_()  # (S, T, E)
    # cuDNN computes an LSTM's backward pass only in training mode; dropout must stay off.
    with torch.enable_grad(), torch.backends.cudnn.flags(enabled=False):
        log_odds = _log_odds(network.classify(path, lengths), target)  # (S,)
        (gradients,) = torch.autograd.grad(log_odds.sum(), path)
    scores = (gradients.mean(0) * inputs[0]).sum(1)  # (T,)
    with torch.no_grad():
        ends = torch.cat([torch.zeros_like(inputs), inputs])  # (2, T, E)
        start, end = _log_odds(network.classify(ends, lengths[:2]), target).tolist()
    return scores.detach(), end - start


def _log_odds(logits, target):
    # logits: (S, K) -> (S,): log p(target) - log(1 - p(target)). With one logit (binary),
    # that is the logit itself for class 1 and its negation for class 0.
    if logits.size(1) == 1:
        return logits[:, 0] if target == 1 else -logits[:, 0]
    others = torch.cat([logits[:, :target], logits[:, target + 1 :]], dim=1)
    return logits[:, target] - others.logsumexp(1)


class HTMLExplanation:
    """Texts with their tokens coloured by attribution; shows itself inline in Jupyter.

    Parameters
    ----------
    html : str
        A complete HTML document.
    """

    def __init__(self, html):
        self.html = html

    def _repr_html_(self):
        return self.html

    def save(self, path):
        """Write the HTML document to ``path`` (UTF-8) and return the path."""
        path = Path(path)
        path.write_text(self.html, encoding="utf-8")
        return path


def show_explanation(explanation, path=None, captions=None):
    """Render explanations as HTML: green tokens speak for the class, red ones against it.

    Parameters
    ----------
    explanation : pandas.DataFrame
        The output of :meth:`LSTMSentimentClassifier.explain`: columns ``text_id``,
        ``position``, ``token``, ``score`` and ``target``.
    path : path-like, default=None
        Also write the HTML document there.
    captions : dict of int to str, default=None
        A line shown above a text, by ``text_id`` (e.g. its true label).

    Returns
    -------
    HTMLExplanation
        Displayed inline in Jupyter; ``.html`` holds the document.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklstm import show_explanation
    >>> explanation = pd.DataFrame({"text_id": [0, 0], "position": [0, 1],
    ...                             "token": ["not", "<b>good</b>"], "score": [-0.5, 1.0],
    ...                             "target": ["pos", "pos"]})
    >>> "&lt;b&gt;good&lt;/b&gt;" in show_explanation(explanation).html
    True
    """
    captions = captions or {}
    sections = [
        _text_html(text_id, rows, captions.get(text_id))
        for text_id, rows in explanation.groupby("text_id", sort=False)
    ]
    document = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>sklstm explanations</title>'
        "</head><body style='font-family: sans-serif; max-width: 60em'>\n"
        + "\n".join(sections)
        + "\n</body></html>\n"
    )
    result = HTMLExplanation(document)
    if path is not None:
        result.save(path)
    return result


def _text_html(text_id, rows, caption):
    rows = rows.sort_values("position")
    largest = max(rows["score"].abs().max(), 1e-12)
    tokens = " ".join(
        f'<span title="{score:+.3f}" style="background: {_colour(score / largest)}">'
        f"{html.escape(str(token))}</span>"
        for token, score in zip(rows["token"], rows["score"], strict=True)
    )
    heading = (
        f"<h3>Text {html.escape(str(text_id))}: evidence for class "
        f"{html.escape(str(rows['target'].iloc[0]))} (total {rows['score'].sum():+.2f})</h3>"
    )
    caption = f"<p>{html.escape(caption)}</p>" if caption else ""
    return f"<section>{heading}{caption}<p style='line-height: 1.8'>{tokens}</p></section>"


def _colour(strength):
    # strength in [-1, 1]: green for the class, red against it, opacity by magnitude.
    red, green = (0, 160) if strength >= 0 else (200, 0)
    return f"rgba({red}, {green}, 0, {abs(strength) * 0.6:.2f})"
