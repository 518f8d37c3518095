"""Executes a Jupyter notebook headless and fails when one of its cells fails.

Usage: /usr/bin/python3 tests/notebooks/run_notebook.py NOTEBOOK.ipynb

The kernel is this very interpreter (a kernel spec written to a temporary JUPYTER_PATH), never a
"python3" kernel spec another Python installed: run it with Debian's /usr/bin/python3, which has
nbclient, ipykernel, pandas and matplotlib from scripts/debian-packages.txt. The notebook runs in
its own folder, as Jupyter would run it; LLMSIM and LLMSIM_FIGURES_DIR pass through the
environment.
"""
import json
import os
import pathlib
import sys
import tempfile

KERNEL_NAME = "llmsim-debian-python3"
CELL_TIMEOUT_S = 240


def missing_modules():
    missing = []
    for module in ("nbformat", "nbclient", "ipykernel", "pandas", "matplotlib"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    return missing


def write_kernel_spec(root):
    spec_dir = pathlib.Path(root) / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    # -Xfrozen_modules=off keeps the debugger ipykernel loads from warning on every start.
    spec = {"argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (" + sys.executable + ")", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: run_notebook.py NOTEBOOK.ipynb")
    missing = missing_modules()
    if missing:
        sys.exit(f"{sys.executable} lacks {', '.join(missing)}: run scripts/setup.sh (Debian packages)")
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = pathlib.Path(sys.argv[1]).resolve()
    notebook = nbformat.read(path, as_version=4)
    os.environ.setdefault("MPLBACKEND", "Agg")
    with tempfile.TemporaryDirectory() as jupyter_path:
        write_kernel_spec(jupyter_path)
        os.environ["JUPYTER_PATH"] = jupyter_path
        client = NotebookClient(notebook, kernel_name=KERNEL_NAME, timeout=CELL_TIMEOUT_S,
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except CellExecutionError as error:
            sys.exit(f"{path.name}: a cell failed:\n{error}")
    print(f"{path.name}: every cell ran")


if __name__ == "__main__":
    main()
