"""Why a text got its class: occlusion scores per token, and an HTML view."""

import html
from pathlib import Path

import numpy as np
import pandas as pd
import torch

EXPLANATION_COLUMNS = ["text_id", "position", "token", "score", "target"]


def explain_texts(network, vectorizer, texts, class_indices, targets):
    """Occlusion scores of every token of ``texts`` as the table ``explain`` returns.

    ``class_indices`` are the logits' classes to explain, one per text, and ``targets`` the
    labels that the ``target`` column shows for them.
    """
    device = next(network.parameters()).device
    sequences = vectorizer.transform(texts)
    tokens = vectorizer._tokenize(texts)
    frames = []
    # A step's origin is its token's position in the text: truncation keeps the first
    # max_len steps in text order, and the steps left out for the linear path alone follow.
    for text_id, origins in enumerate(vectorizer._origins(tokens)):
        if not len(origins):
            continue
        ids = torch.from_numpy(sequences[text_id][None]).to(device)
        scores = occlusion_scores(network, ids, int(class_indices[text_id]))
        frame = {
            "text_id": text_id,
            "position": origins,
            "token": [tokens[text_id][i] for i in origins],
            "score": scores.cpu().numpy().astype(np.float64),
            "target": [targets[text_id]] * len(origins),
        }
        frames.append(pd.DataFrame(frame))
    if not frames:
        return pd.DataFrame(columns=EXPLANATION_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def occlusion_scores(network, ids, target, batch_size=64):
    """How much the log-odds of class ``target`` fall when each step's input is blanked out.

    The score of step ``t`` is the log-odds of the text minus the log-odds of the same text
    with step ``t``'s input vector (its word and the n-grams ending there) set to zero, the
    vector of padding, and without the linear path's features counted at step ``t`` (the
    n-grams ending there that occur there first). Steps beyond the network's ``max_steps``
    reach the linear path alone, so only their features are removed. Positive scores speak
    for ``target``, negative ones against it.

    Parameters
    ----------
    network : LSTMTextNetwork
    ids : LongTensor of shape (1, T) or (1, T, C)
        One text's ids, unpadded.
    target : int
        Class index whose log-odds are explained.
    batch_size : int, default=64
        Occluded copies of the text scored at once.

    Returns
    -------
    scores : Tensor of shape (T,)
    """
    network.eval()
    with torch.inference_mode():
        inputs = network.embed(ids)  # (1, R, E): the R steps the LSTM reads
        linear = network.linear_terms(ids)  # (1, T, K) or None
        read = inputs.size(1)
        whole = network.classify(inputs, torch.tensor([read], device=ids.device), linear)
        full = _log_odds(whole, target)  # (1,)
        occluded = []
        for start in range(0, ids.size(1), batch_size):
            steps = torch.arange(start, min(start + batch_size, ids.size(1)), device=ids.device)
            copies = inputs.repeat(len(steps), 1, 1)  # (S, R, E)
            in_lstm = steps < read
            copies[torch.arange(len(steps), device=ids.device)[in_lstm], steps[in_lstm]] = 0.0
            linear_copies = None
            if linear is not None:
                linear_copies = linear.repeat(len(steps), 1, 1)  # (S, T, K)
                linear_copies[torch.arange(len(steps)), steps] = 0.0
            lengths = torch.full((len(steps),), read, device=ids.device)
            logits = network.classify(copies, lengths, linear_copies)
            occluded.append(_log_odds(logits, target))
    return full - torch.cat(occluded)


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
    # The style is on a <div>, not on <body>: a page that embeds this document (the docs'
    # gallery, a notebook exported to HTML) would otherwise have its own <body> take it:
    # browsers add the attributes of a later <body> tag to the page's body.
    document = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>sklstm explanations</title>'
        "</head><body>\n<div style='font-family: sans-serif; max-width: 60em'>\n"
        + "\n".join(sections)
        + "\n</div></body></html>\n"
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
