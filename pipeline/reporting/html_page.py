"""The report as one self-contained HTML file: every table, every figure embedded (base64
PNG), the data and settings, and a contents list linking the sections. No network: a
reviewer opens it from disk or from a CI artifact."""
from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from pipeline.reporting.tables import Table, _cell, shown

STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 80em; color: #222;
       padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
td, th { padding: 0.2em 0.6em; border-bottom: 1px solid #e3e3e3; text-align: right; }
td:first-child, th:first-child { text-align: left; }
th { background: #f4f4f4; position: sticky; top: 0; }
.note { color: #555; max-width: 60em; } img { max-width: 100%; }
nav li { margin: 0.15em 0; } code { background: #f4f4f4; padding: 0 0.2em; }
.scroll { overflow-x: auto; }
"""


def report_html(title: str, intro: str, answer: tuple[list[Table], list[tuple[str, Path]]],
                rest: tuple[list[Table], list[tuple[str, Path]]], settings: dict[str, object],
                data: list[str], case_study: str = "") -> str:
    """The whole page, answer first (tables and figures of `answer`), then `rest`, the case
    study (its Markdown: lists, bold), data, and the settings folded."""
    sections = []
    for tables, figures in (answer, rest):
        sections += [(t.name, t.title, _table(t)) for t in tables]
        sections += [(_anchor(caption), caption, _figure(caption, path))
                     for caption, path in figures]
    if case_study:
        sections.append(("case-study", "Case study: the document and its sentences",
                         _markdown(case_study)))
    sections += [("data", "Data", _list(html.escape(line) for line in data)),
                 ("settings", "Settings",
                  f"<details><summary>{len(settings)} settings</summary>"
                  + _list(f"<code>{html.escape(str(k))}</code>: <code>{html.escape(str(v))}</code>"
                          for k, v in settings.items()) + "</details>")]
    contents = _list(f"<a href='#{anchor}'>{html.escape(heading)}</a>"
                     for anchor, heading, _ in sections)
    body = "".join(f"<section id='{anchor}'><h2>{html.escape(heading)}</h2>{content}"
                   f"<p><a href='#contents'>contents</a></p></section>"
                   for anchor, heading, content in sections)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><p class='note'>{html.escape(intro)}</p>"
            f"<nav id='contents'><h2>Contents</h2>{contents}</nav>{body}</body></html>\n")


def _anchor(caption: str) -> str:
    """A figure's section id from its caption ("Figure 4: dev F1 ..." -> "figure-4-dev-f1")."""
    return "-".join(re.findall(r"[a-z0-9]+", caption.lower())[:4])


def _list(items) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _table(table: Table) -> str:
    frame = shown(table.frame)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    notes = "".join(f"<p class='note'>{html.escape(note)}</p>" for note in table.notes)
    return f"<div class='scroll'><table><tr>{head}</tr>{rows}</table></div>{notes}"


def _figure(caption: str, path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f"<img alt='{html.escape(caption)}' src='data:image/png;base64,{data}'>"


def _markdown(text: str) -> str:
    """The little Markdown the case study writes: paragraphs, '- ' lists, **bold**, *italic*."""
    out, items = [], []
    for line in text.splitlines() + [""]:
        escaped = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(line))
        escaped = re.sub(r"\*(.+?)\*", r"<i>\1</i>", escaped)
        if line.startswith("- "):
            items.append(escaped[2:])
            continue
        if items:
            out.append(_list(items))
            items = []
        if line.strip():
            out.append(f"<p>{escaped}</p>")
    return "".join(out)
