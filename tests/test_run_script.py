"""run.sh runs a command in the environment SKLSTM_VENV names, relative or absolute."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(sys.platform == "win32", reason="run.sh is a bash script")
def test_a_command_runs_in_an_absolute_sklstm_venv():
    # The running interpreter's environment already exists, so run.sh creates nothing.
    venv = Path(sys.prefix).resolve()
    if not (venv / "bin" / "python").exists():
        pytest.skip("the tests do not run in a virtual environment")
    result = subprocess.run(
        [str(ROOT / "run.sh"), "python", "-c", "import sys; print(sys.prefix)"],
        env={**os.environ, "SKLSTM_VENV": str(venv)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).resolve() == venv
