"""A second real editor: Emacs in batch mode with eglot gets the workflow's diagnostic.

Skipped when Emacs or eglot is not installed (``apt-get install emacs-nox elpa-eglot``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from editorkit import EDITED_REF, ODD_FOLDER, run_editor

SCRIPT = r"""
(package-initialize)
(require 'eglot)
(require 'project)
(let* ((root (file-name-as-directory (getenv "ATTUNE_ROOT")))
       (out (getenv "ATTUNE_OUT"))
       (deadline (+ (float-time) 60))
       (want (regexp-quote (or (getenv "ATTUNE_WANT") "Shop.Broken")))
       (found nil))
  ;; Without a version-control root project.el would place the file in a transient project of
  ;; its own folder, which the server started for ROOT does not manage: no didOpen is sent.
  (add-hook 'project-find-functions (lambda (_dir) (cons 'transient root)))
  (find-file (getenv "ATTUNE_FILE"))
  (when (getenv "ATTUNE_EDIT")
    (goto-char (point-min))
    (delete-region (point) (line-end-position))
    (insert "ref: " (getenv "ATTUNE_WANT")))
  (eglot '(fundamental-mode) (cons 'transient root) 'eglot-lsp-server
         (list (getenv "ATTUNE_PYTHON") "-m" "attune_lsp") "yaml")
  (while (and (not found) (< (float-time) deadline))
    (accept-process-output nil 0.05)
    (setq found (cl-some (lambda (d) (string-match-p want (flymake-diagnostic-text d)))
                         (flymake-diagnostics))))
  (let ((lines (mapcar (lambda (d)
                         (let ((beg (flymake-diagnostic-beg d)))
                           (format "%d:%d:%s:%s\n"
                                   (1- (line-number-at-pos beg))
                                   (save-excursion (goto-char beg) (current-column))
                                   (flymake-diagnostic-type d)
                                   (flymake-diagnostic-text d))))
                       (flymake-diagnostics))))
    (with-temp-file out
      (mapc #'insert lines)
      (unless found (insert "TIMEOUT\n"))))
  (ignore-errors (eglot-shutdown (eglot-current-server)))
  (kill-emacs 0))
"""


def _eglot_available() -> bool:
    if shutil.which("emacs") is None:
        return False
    probe = subprocess.run(
        ["emacs", "--batch", "-q", "--eval", "(progn (package-initialize) (require 'eglot))"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _eglot_available(), reason="emacs with eglot is not installed")
def test_emacs_eglot_shows_the_diagnostic_on_its_line(tmp_path: Path) -> None:
    script = tmp_path / "run.el"
    script.write_text(SCRIPT)
    command = ["emacs", "--batch", "-q", "-l", str(script)]
    lines = run_editor(tmp_path, command, {"HOME": str(tmp_path)}, 120)
    assert "TIMEOUT" not in lines
    (line,) = [text for text in lines if "Shop.Broken" in text]
    assert line.startswith("0:5:")  # `ref: Shop.Broken`: line 1, the value at column 6
    assert ":eglot-error:" in line


@pytest.mark.skipif(not _eglot_available(), reason="emacs with eglot is not installed")
def test_emacs_eglot_checks_a_buffer_under_a_folder_that_needs_encoding(tmp_path: Path) -> None:
    script = tmp_path / "run.el"
    script.write_text(SCRIPT)
    command = ["emacs", "--batch", "-q", "-l", str(script)]
    env = {"HOME": str(tmp_path), "ATTUNE_EDIT": "1", "ATTUNE_WANT": EDITED_REF}
    lines = run_editor(tmp_path, command, env, 120, folder=ODD_FOLDER)
    assert "TIMEOUT" not in lines
    (line,) = [text for text in lines if EDITED_REF in text]
    assert line.startswith("0:5:")
