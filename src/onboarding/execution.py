"""Executing notebooks for authors: run in a scratch folder, store normalised outputs.

Running in a scratch folder keeps the files a notebook writes (`%%writefile rooms.yaml`, a
database) out of `solutions/` and `notebooks/`. The scratch folder is a learner's workspace
holding the model project of the notebook's stage, which a solution's checks judge.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from onboarding import notebooks, project


class ExecutionFailed(Exception):
    pass


def run_in_place(path: Path, timeout: int = 300) -> None:
    import nbclient
    import nbformat

    with tempfile.TemporaryDirectory(prefix="onboard-run-") as folder:
        scratch = Path(folder)
        for sibling in path.parent.iterdir():
            # Data files beside the notebook are inputs it may read.
            if sibling.is_file() and sibling.suffix != ".ipynb":
                shutil.copy2(sibling, scratch / sibling.name)
        project.prepare(project.stage_of_notebook(path.name), scratch, solved=True)
        notebook = nbformat.read(path, as_version=4)
        client = nbclient.NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(scratch)}},
        )
        previous = os.environ.get("ONBOARD_WORKSPACE")
        os.environ["ONBOARD_WORKSPACE"] = str(scratch)  # the kernel inherits it
        try:
            # The kernel's own start-up warnings are noise here; cell errors still come back.
            client.execute(stderr=subprocess.DEVNULL)
        except nbclient.exceptions.CellExecutionError as error:
            raise ExecutionFailed(f"{path}: a cell failed:\n{error}") from None
        finally:
            if previous is None:
                os.environ.pop("ONBOARD_WORKSPACE", None)
            else:
                os.environ["ONBOARD_WORKSPACE"] = previous
    notebooks.write(path, notebooks.normalise(dict(notebook)))


def solve(workspace: Path, name: str, solutions_dir: Path | None = None) -> None:
    """Put the model solution's code into the learner's copy of a notebook, as a learner would.

    For the course's own runs that play a learner who got it right: benchmarks and tests.
    Check cells stay the learner's copy's; every other code cell takes the solution's source.
    """
    from onboarding import paths

    solution = notebooks.read(Path(solutions_dir or paths.solutions_dir()) / name)
    learner_path = Path(workspace) / name
    learner = notebooks.read(learner_path)
    by_id = {cell["id"]: cell for cell in solution["cells"]}
    for cell in learner["cells"]:
        if cell["cell_type"] == "code" and not notebooks.is_check_cell(cell):
            cell["source"] = by_id[cell["id"]]["source"]
    notebooks.write(learner_path, learner)
