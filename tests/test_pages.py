"""The HTML pages render in headless Chromium (Debian's `chromium`; .ci/run installs it):
the screenshot is not blank, the page asks the network for nothing (every byte is in the
file) and its script raises nothing."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.data.document import Document
from pipeline.inference.pages import write_pages
from pipeline.inference.predictor import Prediction
from tests.helpers import three_sentence_doc

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (apt-get install chromium)")

QUIET = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-default-apps", "--no-pings", "--virtual-time-budget=3000"]


def render(page: Path, out: Path) -> dict:
    """Screenshot [H, W, 4], the DOM after the script ran, the page's own network requests
    (Chromium's net log: requests initiated by the page, not by the browser itself) and
    the console errors."""
    png, net = out / f"{page.stem}.png", out / f"{page.stem}.net.json"
    shot = subprocess.run([CHROMIUM, *QUIET, f"--screenshot={png}", "--window-size=1200,900",
                           f"--log-net-log={net}", "--enable-logging=stderr", "--v=0",
                           page.resolve().as_uri()],
                          capture_output=True, text=True, timeout=120)
    dom = subprocess.run([CHROMIUM, *QUIET, "--dump-dom", page.resolve().as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    log = json.loads(net.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    requests = [e["params"]["url"] for e in log["events"]
                if e["type"] == start and "url" in e.get("params", {})
                and e["params"].get("initiator") != "not an origin"]
    import matplotlib.image
    return {"pixels": matplotlib.image.imread(png), "dom": dom, "requests": requests,
            "errors": [line for line in shot.stderr.splitlines()
                       if "CONSOLE" in line and "Uncaught" in line]}


def assert_renders(result: dict) -> None:
    pixels = result["pixels"][..., :3]                                  # [H, W, 3]
    assert (pixels < 0.9).any(-1).mean() > 0.001, "the screenshot is (nearly) blank"
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 16
    assert result["requests"] == [] and result["errors"] == []


def test_the_checks_catch_a_network_request_and_a_script_error(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text("<html><body><p>text</p><img src='http://example.invalid/x.png'>"
                    "<script>undefinedFunction()</script></body></html>")
    result = render(page, tmp_path)
    assert result["requests"] == ["http://example.invalid/x.png"]
    assert len(result["errors"]) == 1
    with pytest.raises(AssertionError):
        assert_renders(result)


def test_a_document_page_renders_and_shades_the_chosen_fact(tmp_path):
    doc: Document = three_sentence_doc()
    predictions = [Prediction("Tiny", 0, 1, "P17", 0.9, (0,), (0.5, 0.0, 0.1)),
                   Prediction("Tiny", 0, 2, "P131", 0.6, (2,), (0.0, 0.0, 0.4))]
    index, page, *_ = write_pages(tmp_path / "pages", [doc], predictions, 0.3, 0.2, "run")
    result = render(page, tmp_path)
    assert_renders(result)
    # the script chose the most probable fact: its row, its evidence and its entities marked
    assert "class=\"fact chosen\"" in result["dom"]
    assert "class=\"sent evidence\"" in result["dom"] and "class=\"mention head\"" in result["dom"]
    assert_renders(render(index, tmp_path))


def test_the_report_page_renders_with_its_figures_inside(tmp_path):
    from pipeline.reporting.figures import figure5
    from pipeline.reporting.report import write_report
    from pipeline.reporting.tables import Table
    png = figure5({("bilstm", "glove", "base"): pd.DataFrame({"p": [0.1, 0.9],
                                                               "p_hat": [0.2, 0.5]})},
                  {("bilstm", "glove", "base"): 0.4}, tmp_path / "figure5.png")
    table = Table("table1", "Table 1", pd.DataFrame({"model": ["BiLSTM"], "dev F1": [31.2]}),
                  ["a note"])
    (tmp_path / "report").mkdir()
    write_report(tmp_path / "report" / "index.md", "Report", [table], [("Figure 5", png)],
                 {"sief.beta": 0.8}, ["train: 3 documents"], "Document *T*.\n\n- **S0**: text")
    page = tmp_path / "report" / "index.html"
    png.unlink()                                  # the page must not need the file
    text = page.read_text()
    assert "data:image/png;base64," in text and "href='#table1'" in text
    assert "<li><b>S0</b>: text</li>" in text and "<i>T</i>" in text
    assert_renders(render(page, tmp_path))
