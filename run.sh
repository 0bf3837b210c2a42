#!/usr/bin/env bash
# Run sklstm from a fresh clone: creates .venv on first use, then runs the given command in it.
#   ./run.sh test                          the test suite
#   ./run.sh docs                          the documentation, warnings as errors (docs/_build/html)
#   ./run.sh sklstm compare --dataset imdb the main job (any command works: ./run.sh python ...)
set -euo pipefail
cd "$(dirname "$0")"
venv=${SKLSTM_VENV:-.venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  # Pinned: this build is the CPU wheel kept on the machine; an open range pulls a CUDA build.
  "$venv/bin/pip" install --quiet torch==2.13.0
  "$venv/bin/pip" install --quiet -e ".[test]"
fi
# The real datasets live beside the repository when they are there (see README).
if [ -z "${SKLSTM_DATA:-}" ] && [ -d ../shared/data ]; then
  export SKLSTM_DATA
  SKLSTM_DATA=$(cd ../shared/data && pwd)
fi
if [ "${1:-}" = docs ]; then
  shift
  # The docs extra is installed on first use; a clean build, so no stale page hides a warning.
  if ! "$venv/bin/python" -c "import sphinx_gallery, numpydoc, pydata_sphinx_theme" 2>/dev/null; then
    "$venv/bin/pip" install --quiet -e ".[docs]"
  fi
  rm -rf docs/_build docs/auto_examples docs/generated docs/sg_execution_times.rst
  exec "$venv/bin/sphinx-build" -W --keep-going -q -b html "$@" docs docs/_build/html
fi
if [ "${1:-}" = test ]; then
  shift
  exec "$venv/bin/python" -m pytest -q "$@"
fi
# SKLSTM_VENV may be relative (the default .venv) or absolute (CI's).
exec env PATH="$(cd "$venv" && pwd)/bin:$PATH" "$@"
