#!/usr/bin/env bash
# Run sklstm from a fresh clone: creates .venv on first use, then runs the given command in it.
#   ./run.sh test                          the test suite
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
if [ "${1:-}" = test ]; then
  shift
  exec "$venv/bin/python" -m pytest -q "$@"
fi
exec env PATH="$PWD/$venv/bin:$PATH" "$@"
