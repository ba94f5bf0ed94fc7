"""`dvc plots show` and `dvc plots diff` as a page that opens offline.

DVC's page loads Vega, Vega-Lite and Vega-Embed from a CDN, so on a machine without the
internet (this project's CPU machines, a cluster node, a train) its plots stay blank. This
writes a page template with those libraries inside (vl-convert-python's bundle, made
without the network) and runs DVC with it: one self-contained HTML file.

    python -m commands.plots diff main exp-1a2b3      # baseline and experiment, overlaid
    python -m commands.plots diff                     # HEAD against the workspace
    python -m commands.plots show                     # the workspace's plots
    python -m commands.plots diff main --targets data/results/docred/bilstm/glove/sief/history.csv

Every argument after the subcommand goes to `dvc plots {show,diff}` as it is; the page is
written to dvc_plots/index.html (DVC's default; `-o DIR` elsewhere), and its path printed.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TEMPLATE = Path(".dvc/tmp/plots/offline_template.html")
"""Where the template is kept (under .dvc/tmp, which git and DVC ignore)."""

PAGE = """<!DOCTYPE html>
<html>
<head>
    {refresh_tag}
    <meta charset="utf-8">
    <title>DVC plots (offline)</title>
    <script>BUNDLE</script>
    <style>
        body { font-family: sans-serif; }
        table { border-spacing: 15px; }
    </style>
</head>
<body>
    {plot_divs}
</body>
</html>
"""
"""DVC's page (dvc_render.html.PAGE_HTML) with the libraries inline instead of its
{scripts} placeholder, which DVC fills with the CDN's <script src=...> tags."""


def offline_template(path: Path = TEMPLATE) -> Path:
    """Write the template once (the bundle takes about a second and 0.9 MB)."""
    if not path.is_file():
        import vl_convert
        bundle = vl_convert.javascript_bundle()  # vega, vega-lite, vega-embed on window
        for placeholder in ("{plot_divs}", "{scripts}", "{refresh_tag}"):
            if placeholder in bundle:  # DVC fills placeholders by plain replacement
                raise SystemExit(f"vl-convert's bundle holds {placeholder}: cannot be a template")
        path.parent.mkdir(parents=True, exist_ok=True)
        # </script> inside the bundle's strings would end the tag early.
        path.write_text(PAGE.replace("BUNDLE", bundle.replace("</script>", "<\\/script>")),
                        encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in ("show", "diff"):
        print(__doc__)
        return 0 if args[:1] in (["-h"], ["--help"]) else 2
    command = [sys.executable, "-m", "dvc", "plots", args[0],
               "--html-template", str(offline_template()), *args[1:]]
    return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main())
