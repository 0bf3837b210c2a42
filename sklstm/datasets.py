"""Loaders for the IMDB and MR movie-review sentiment datasets.

The loaders follow scikit-learn's ``fetch_*`` functions: each dataset is kept
as gzip-compressed CSV files in a data home folder, downloaded from the
official archive on first use, and returned as a :class:`sklearn.utils.Bunch`.

Data home layout (the same as the published caches)::

    <data_home>/imdb/train.csv.gz   columns text,label,rating,id
    <data_home>/imdb/test.csv.gz    columns text,label,rating,id
    <data_home>/imdb/unsup.csv.gz   columns text,id (the unlabelled reviews)
    <data_home>/mr/all.csv.gz       columns text,label

The download locations are the module constants :data:`IMDB_ARCHIVE` and
:data:`MR_ARCHIVE`; replace them with another :class:`RemoteFile` to use a
mirror.
"""

import contextlib
import csv
import gzip
import hashlib
import io
import logging
import os
import re
import tarfile
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

__all__ = ["IMDB_ARCHIVE", "MR_ARCHIVE", "RemoteFile", "get_data_home", "load_imdb", "load_mr"]

logger = logging.getLogger(__name__)


class RemoteFile(NamedTuple):
    """An archive to download and the SHA-256 hex digest it must have."""

    url: str
    sha256: str


IMDB_ARCHIVE = RemoteFile(
    url="https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
    # 84,125,825 bytes; tensorflow/datasets url_checksums/imdb_reviews.txt.
    sha256="c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
)
MR_ARCHIVE = RemoteFile(
    url="https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz",
    # 487,770 bytes; huggingface/datasets rotten_tomatoes, which downloads Seldon's
    # mirror of this tarball. No checksum published for the Cornell URL itself.
    sha256="a05befe52aafda71d458d188a1c54506a998b1308613ba76bbda2e5029409ce9",
)

TARGET_NAMES = ("neg", "pos")
IMDB_COLUMNS = ("text", "label", "rating", "id")
IMDB_UNSUP_COLUMNS = ("text", "id")
# The label of the unlabelled reviews: scikit-learn's marker for unlabelled samples, the value
# to pass as LSTMSentimentClassifier's unlabeled_label.
IMDB_UNLABELED = -1
MR_COLUMNS = ("text", "label")

_IMDB_SUBSETS = {
    "train": ("train",),
    "test": ("test",),
    "all": ("train", "test"),
    "unsup": ("unsup",),
}
# The labelled reviews and the unlabelled ones (named <id>_0.txt); the metadata files are skipped.
_IMDB_REVIEW = re.compile(r"aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt")
_IMDB_UNSUP_REVIEW = re.compile(r"aclImdb/train/unsup/(\d+)_\d+\.txt")
# Dict order is the row order of the published cache: pos lines, then neg lines.
_MR_FILES = {"rt-polaritydata/rt-polarity.pos": 1, "rt-polaritydata/rt-polarity.neg": 0}
_CHUNK_BYTES = 1 << 20
_TIMEOUT_SECONDS = 60

_IMDB_DESCR = """\
IMDB Large Movie Review Dataset v1.0
------------------------------------

Binary sentiment classification of full-length IMDB movie reviews.

- Samples: 25,000 train + 25,000 test, each half positive and half negative,
  and 50,000 unlabelled reviews (``subset="unsup"``).
- Classes: 0 = neg (rating 1-4), 1 = pos (rating 7-10); -1 marks the
  unlabelled reviews, which have no rating (0).
- Texts are the raw review files: ``<br />`` tags are kept, nothing is
  lowercased or tokenized.
- ``rating`` is the 1-10 star rating and ``id`` the review number from the
  file name ``<id>_<rating>.txt``; ``id`` is unique only within a subset and
  label. The unlabelled reviews are the authors' files for unsupervised and
  semi-supervised learning; as in the source, a few hundred of them repeat
  texts of train or test.
- Row order: label 0 by ascending id, then label 1 by ascending id (for
  ``subset="all"``, train rows then test rows; ``"unsup"`` by ascending id).
  Shuffle before training.

Source: https://ai.stanford.edu/~amaas/data/sentiment/

Andrew L. Maas, Raymond E. Daly, Peter T. Pham, Dan Huang, Andrew Y. Ng and
Christopher Potts. 2011. Learning Word Vectors for Sentiment Analysis.
Proceedings of ACL-HLT 2011, pp. 142-150.
"""

_MR_DESCR = """\
MR: sentence polarity dataset v1.0 (rt-polarity)
------------------------------------------------

Binary sentiment classification of short Rotten Tomatoes review snippets.

- Samples: 10,662, of which 5,331 positive and 5,331 negative.
- Classes: 0 = neg, 1 = pos.
- There is no official train/test split; papers use 10-fold
  cross-validation.
- Texts are lowercased and tokenized by the authors. The source files are
  Windows-1252 and are decoded as such; most lines keep a trailing space.
- Row order: the positive lines in file order, then the negative lines.
  Shuffle or stratify before cross-validation.

Source: https://www.cs.cornell.edu/people/pabo/movie-review-data/

Bo Pang and Lillian Lee. 2005. Seeing stars: Exploiting class relationships
for sentiment categorization with respect to rating scales. Proceedings of
ACL 2005, pp. 115-124.
"""


def get_data_home(data_home=None):
    """Return the folder where sklstm keeps its datasets.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder to use. By default, the ``SKLSTM_DATA`` environment
        variable, or ``~/sklstm_data`` when it is unset or empty. A leading
        ``~`` is expanded. The folder is created only when a dataset is
        downloaded into it.

    Returns
    -------
    data_home : str
        The absolute path of the data home folder.

    Examples
    --------
    >>> from sklstm.datasets import get_data_home
    >>> get_data_home("/tmp/sklstm_data")
    '/tmp/sklstm_data'
    """
    if data_home is None:
        data_home = os.environ.get("SKLSTM_DATA") or os.path.join("~", "sklstm_data")
    return os.path.abspath(os.path.expanduser(os.fspath(data_home)))


def load_imdb(
    data_home=None,
    *,
    subset="train",
    download_if_missing=True,
    return_X_y=False,
    as_frame=False,
):
    """Load the IMDB Large Movie Review Dataset (binary sentiment).

    =================   ===================================================
    Classes             2
    Samples total       50,000 labelled: 25,000 train, 25,000 test;
                        50,000 unlabelled (``subset="unsup"``)
    Samples per class   25,000: 12,500 train, 12,500 test
    Features            text
    =================   ===================================================

    The first call downloads the official archive (84 MB) and keeps the
    reviews in ``<data_home>/imdb/{train,test,unsup}.csv.gz``. A cache that
    lacks the file of the subset asked for (one written by an earlier version
    holds no ``unsup.csv.gz``) gets it from a new download; its other files
    are left as they are.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding the datasets; see :func:`get_data_home`.
    subset : {"train", "test", "all", "unsup"}, default="train"
        The official split to load. ``"all"`` returns the train rows followed
        by the test rows. ``"unsup"`` returns the 50,000 unlabelled reviews
        (``train/unsup`` in the archive), with the target -1, the label that
        marks unlabelled samples in scikit-learn and that
        :class:`~sklstm.LSTMSentimentClassifier` takes as its
        ``unlabeled_label``.
    download_if_missing : bool, default=True
        If False, raise an :class:`OSError` when the data is not in
        ``data_home`` instead of downloading it.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        If True, ``data`` is a pandas Series of str, ``target``, ``rating``
        and ``id`` are integer Series, and ``frame`` is a DataFrame with the
        columns ``text``, ``label``, ``rating`` and ``id``. ``data`` is a
        Series rather than a one-column DataFrame because text vectorizers
        iterate over their input, and a DataFrame iterates over its column
        names.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : list of str of shape (n_samples,), or Series if `as_frame`
            The review texts.
        target : ndarray of int64 of shape (n_samples,), or Series
            The labels: 0 for negative, 1 for positive; -1 for every review
            of ``subset="unsup"``.
        rating : ndarray of int64 of shape (n_samples,), or Series
            The 1-10 star rating of each review; 0 for the unlabelled ones
            (their files are named ``<id>_0.txt``).
        id : ndarray of int64 of shape (n_samples,), or Series
            The review number, unique within a subset and label.
        frame : DataFrame of shape (n_samples, 4) or None
            All of the above as columns, only when `as_frame` is True.
        target_names : list of str
            ``["neg", "pos"]``, indexed by the target.
        DESCR : str
            Description of the dataset.

    (data, target) : tuple if ``return_X_y`` is True
        The texts and labels, as described above.

    Raises
    ------
    ValueError
        If `subset` is not one of the accepted values.
    OSError
        If the data is missing and `download_if_missing` is False, or the
        download fails or does not match its SHA-256 checksum.

    Examples
    --------
    >>> from sklstm.datasets import load_imdb
    >>> X_train, y_train = load_imdb(subset="train", return_X_y=True)  # doctest: +SKIP
    >>> X_test, y_test = load_imdb(subset="test", return_X_y=True)  # doctest: +SKIP
    >>> len(X_train), len(X_test), y_train.mean()  # doctest: +SKIP
    (25000, 25000, 0.5)
    """
    if subset not in _IMDB_SUBSETS:
        raise ValueError(f"subset must be one of {sorted(_IMDB_SUBSETS)}, got {subset!r}.")
    folder = Path(get_data_home(data_home)) / "imdb"
    paths = [folder / f"{split}.csv.gz" for split in _IMDB_SUBSETS[subset]]
    _ensure_cached(paths, IMDB_ARCHIVE, _write_imdb_cache, download_if_missing, "load_imdb")
    parts = [_read_imdb_part(path) for path in paths]
    columns = {name: [value for part in parts for value in part[name]] for name in IMDB_COLUMNS}
    return _to_bunch(columns, _IMDB_DESCR, return_X_y=return_X_y, as_frame=as_frame)


def load_mr(data_home=None, *, download_if_missing=True, return_X_y=False, as_frame=False):
    """Load the MR sentence polarity dataset v1.0 (Pang and Lee, 2005).

    =================   ======
    Classes             2
    Samples total       10,662
    Samples per class   5,331
    Features            text
    =================   ======

    The first call downloads the official archive (0.5 MB) and keeps it as
    ``<data_home>/mr/all.csv.gz``. There is no official train/test split.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding the datasets; see :func:`get_data_home`.
    download_if_missing : bool, default=True
        If False, raise an :class:`OSError` when the data is not in
        ``data_home`` instead of downloading it.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        If True, ``data`` is a pandas Series of str, ``target`` an integer
        Series, and ``frame`` a DataFrame with the columns ``text`` and
        ``label``.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : list of str of shape (10662,), or Series if `as_frame`
            The review snippets.
        target : ndarray of int64 of shape (10662,), or Series
            The labels: 0 for negative, 1 for positive.
        frame : DataFrame of shape (10662, 2) or None
            Texts and labels as columns, only when `as_frame` is True.
        target_names : list of str
            ``["neg", "pos"]``, indexed by the target.
        DESCR : str
            Description of the dataset.

    (data, target) : tuple if ``return_X_y`` is True
        The texts and labels, as described above.

    Raises
    ------
    OSError
        If the data is missing and `download_if_missing` is False, or the
        download fails or does not match its SHA-256 checksum.

    Examples
    --------
    >>> from sklstm.datasets import load_mr
    >>> X, y = load_mr(return_X_y=True)  # doctest: +SKIP
    >>> len(X), int(y.sum())  # doctest: +SKIP
    (10662, 5331)
    """
    path = Path(get_data_home(data_home)) / "mr" / "all.csv.gz"
    _ensure_cached([path], MR_ARCHIVE, _write_mr_cache, download_if_missing, "load_mr")
    columns = _read_csv_gz(path, MR_COLUMNS)
    return _to_bunch(columns, _MR_DESCR, return_X_y=return_X_y, as_frame=as_frame)


def _ensure_cached(paths, remote, write_cache, download_if_missing, loader):
    """Download `remote` and build the cache unless every file of `paths` exists."""
    missing = [str(path) for path in paths if not path.exists()]
    if not missing:
        return
    if not download_if_missing:
        raise OSError(
            f"Data not found: {', '.join(missing)}. Call {loader}() with "
            f"download_if_missing=True to download {remote.url}, or set data_home "
            "or the SKLSTM_DATA environment variable to a folder that holds it."
        )
    folder = paths[0].parent
    folder.mkdir(parents=True, exist_ok=True)
    logger.info("Downloading %s into %s", remote.url, folder)
    with _verified_download(remote, folder) as archive:
        write_cache(archive, folder)


@contextlib.contextmanager
def _verified_download(remote, folder):
    """Download `remote` to a temporary file in `folder`, check it, yield its path.

    The file is deleted on exit, whatever happens: only the CSV caches built
    from it are kept, so no archive, complete or partial, is left behind.
    """
    archive = _temp_path(folder / Path(urllib.parse.urlparse(remote.url).path).name)
    try:
        actual = _download(remote.url, archive)
        if actual != remote.sha256:
            raise OSError(
                f"The download of {remote.url} has SHA-256 {actual}, expected "
                f"{remote.sha256}. It is corrupted or the file has changed; it was deleted."
            )
        yield archive
    finally:
        archive.unlink(missing_ok=True)


def _download(url, path):
    """Save `url` to the new file `path` and return its SHA-256 hex digest."""
    digest = hashlib.sha256()
    with (
        urllib.request.urlopen(url, timeout=_TIMEOUT_SECONDS) as response,
        open(path, "xb") as out,
    ):
        while chunk := response.read(_CHUNK_BYTES):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _temp_path(path):
    """Return a unique hidden name beside `path`, so concurrent loaders never collide."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")


def _read_imdb_part(path):
    """Read one IMDB cache file into the columns of :data:`IMDB_COLUMNS`."""
    if path.name != "unsup.csv.gz":
        return _read_csv_gz(path, IMDB_COLUMNS)
    columns = _read_csv_gz(path, IMDB_UNSUP_COLUMNS)
    # The published file holds no label or rating: every review gets the same ones.
    n_rows = len(columns["id"])
    return {
        "text": columns["text"],
        "label": [IMDB_UNLABELED] * n_rows,
        "rating": [0] * n_rows,
        "id": columns["id"],
    }


def _write_imdb_cache(archive, folder):
    """Write the files of ``train``, ``test`` and ``unsup.csv.gz`` missing from `folder`.

    The files already there are left as they are: a cache written before the unlabelled
    reviews were kept gets their file alone.
    """
    missing = [
        split for split in ("train", "test", "unsup") if not (folder / f"{split}.csv.gz").exists()
    ]
    rows = {split: [] for split in missing}
    with tarfile.open(archive, "r:gz") as tar:
        # Read members in archive order straight from the tarball: nothing is
        # extracted to disk, so member paths are never trusted as file names.
        for member in tar:
            if not member.isfile():
                continue
            if match := _IMDB_REVIEW.fullmatch(member.name):
                split, polarity, review_id, rating = match.groups()
                row = (int(polarity == "pos"), int(rating), int(review_id))
            elif match := _IMDB_UNSUP_REVIEW.fullmatch(member.name):
                split, row = "unsup", (int(match.group(1)),)
            else:
                continue
            if split in rows:
                text = tar.extractfile(member).read().decode("utf-8")
                rows[split].append((text, *row))
    for split, split_rows in rows.items():
        if not split_rows:
            files = (
                "train/unsup/<id>_0" if split == "unsup" else f"{split}/{{pos,neg}}/<id>_<rating>"
            )
            raise OSError(f"{archive} has no aclImdb/{files}.txt files.")
    for split, split_rows in rows.items():
        if split == "unsup":
            # As published: by ascending id.
            split_rows.sort(key=lambda row: row[1])
            _write_csv_gz(folder / "unsup.csv.gz", IMDB_UNSUP_COLUMNS, split_rows)
        else:
            # As published: label 0 then label 1, each by ascending id.
            split_rows.sort(key=lambda row: (row[1], row[3]))
            _write_csv_gz(folder / f"{split}.csv.gz", IMDB_COLUMNS, split_rows)


def _write_mr_cache(archive, folder):
    """Write ``all.csv.gz`` from the rt-polaritydata archive."""
    rows = []
    with tarfile.open(archive, "r:gz") as tar:
        for name, label in _MR_FILES.items():
            # Windows-1252, not the latin-1 the dataset's README claims: bytes
            # 0x85, 0x91, 0x96 and 0x97 are "…", "‘", "–" and "—", not C1 controls.
            text = tar.extractfile(name).read().decode("cp1252")
            # Split on "\n" only: str.splitlines would also break on "\r" and others.
            rows.extend((line, label) for line in text.removesuffix("\n").split("\n"))
    _write_csv_gz(folder / "all.csv.gz", MR_COLUMNS, rows)


def _write_csv_gz(path, header, rows):
    """Atomically write `rows` as gzip-compressed UTF-8 CSV to `path`.

    The file appears under its final name only once complete, so an
    interrupted write never leaves a truncated cache that later looks valid.
    """
    temp = _temp_path(path)
    try:
        with (
            open(temp, "xb") as raw,
            # A zero mtime and the final name in the gzip header make the bytes
            # reproducible and equal to the published files, whatever `temp` is.
            gzip.GzipFile(filename=path.name, mode="wb", fileobj=raw, mtime=0) as gz,
            io.TextIOWrapper(gz, encoding="utf-8", newline="") as text,
        ):
            writer = csv.writer(text)
            writer.writerow(header)
            writer.writerows(rows)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _read_csv_gz(path, header):
    """Read a cache file into a dict mapping each column of `header` to a list of str."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        found = next(reader, None)
        rows = list(reader)
    if found != list(header) or not rows:
        raise OSError(
            f"{path} is not a valid cache file: expected the header {','.join(header)} "
            "and at least one row. Delete it to download the data again."
        )
    return dict(zip(header, map(list, zip(*rows, strict=True)), strict=True))


def _to_bunch(columns, descr, *, return_X_y, as_frame):
    """Build the loader's return value from the cache's columns of str."""
    fields = {
        name: values if name == "text" else np.asarray(values, dtype=np.int64)
        for name, values in columns.items()
    }
    frame = None
    if as_frame:
        frame = pd.DataFrame(fields)
        fields = dict(frame.items())
    data, target = fields.pop("text"), fields.pop("label")
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        **fields,
        frame=frame,
        target_names=list(TARGET_NAMES),
        DESCR=descr,
    )
