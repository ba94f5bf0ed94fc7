"""One self-contained HTML page per document: its text, the predicted relations, and for the
relation chosen (a click; the most probable one first) each sentence shaded by its
importance, evidence sentences marked, the head and tail mentions coloured.

No network: styles and the few lines of script are inline, the page's data is embedded.
"""
from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Sequence

from pipeline.data.document import Document
from pipeline.inference.predictor import Prediction

STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222; }
h1 { font-size: 1.4em; } .meta { color: #555; }
.layout { display: flex; gap: 2em; align-items: flex-start; }
.text { flex: 3; } .facts { flex: 2; }
.sent { padding: 0.1em 0.2em; border-radius: 3px; }
.sent .n { color: #777; font-size: 0.8em; margin-right: 0.3em; }
.sent.evidence { outline: 2px solid #c60; }
.head { color: #0645ad; font-weight: 600; } .tail { color: #18794e; font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
td, th { padding: 0.25em 0.5em; border-bottom: 1px solid #ddd; text-align: left; }
tr.fact { cursor: pointer; } tr.fact.chosen { background: #fde9c8; }
"""

SCRIPT = """
const facts = JSON.parse(document.getElementById('facts').textContent);
function choose(k) {
  const fact = facts[k];
  document.querySelectorAll('tr.fact').forEach((row, i) => row.classList.toggle('chosen', i === k));
  const top = Math.max(1e-12, ...fact.importance.map(Math.abs));
  document.querySelectorAll('.sent').forEach(span => {
    const n = Number(span.dataset.n);
    const g = n < fact.importance.length ? fact.importance[n] : 0;
    span.style.background = `rgba(255, 140, 0, ${Math.max(0, g) / top * 0.6})`;
    span.classList.toggle('evidence', fact.evidence.includes(n));
  });
  document.querySelectorAll('.mention').forEach(span => {
    const e = Number(span.dataset.entity);
    span.classList.toggle('head', e === fact.h);
    span.classList.toggle('tail', e === fact.t);
  });
}
document.querySelectorAll('tr.fact').forEach((row, i) => row.addEventListener('click', () => choose(i)));
if (facts.length) choose(0);
"""


def document_page(doc: Document, predictions: Sequence[Prediction], theta: float,
                  tau: float | None, run: str) -> str:
    """The page of one document (its predictions, most probable first)."""
    ranked = sorted(predictions, key=lambda p: -p.score)
    facts = [{"h": p.h_idx, "t": p.t_idx, "r": p.r, "score": p.score,
              "evidence": list(p.evidence or ()), "importance": list(p.importance or ())}
             for p in ranked]
    rows = "".join(
        f"<tr class='fact'><td>{_name(doc, p.h_idx)}</td><td>{html.escape(p.r)}</td>"
        f"<td>{_name(doc, p.t_idx)}</td><td>{p.score:.3f}</td>"
        f"<td>{', '.join(f'S{n}' for n in p.evidence or ()) or '-'}</td></tr>" for p in ranked)
    explained = "importance g = P log(P / P-hat) with the sentence removed; evidence: g >= tau"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(doc.title)}</title>
<style>{STYLE}</style></head><body>
<h1>{html.escape(doc.title)}</h1>
<p class="meta">{len(ranked)} predicted relations at theta {theta:.4g}
{f'; tau {tau:.4g} ({explained})' if tau is not None else ''}. Run: {html.escape(run)}.
Click a relation to shade the sentences by their importance for it.</p>
<div class="layout"><div class="text">{_text(doc)}</div>
<div class="facts"><table><tr><th>head</th><th>relation</th><th>tail</th><th>P</th>
<th>evidence</th></tr>{rows}</table></div></div>
<script type="application/json" id="facts">{_json(facts)}</script>
<script>{SCRIPT}</script></body></html>
"""


def index_page(docs: Sequence[Document], counts: dict[str, int], files: dict[str, str],
               run: str) -> str:
    """Links to every document's page, with the run's counts."""
    items = "".join(f"<li><a href='{html.escape(files[d.title])}'>{html.escape(d.title)}</a> "
                    f"({counts.get(d.title, 0)} relations)</li>" for d in docs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Predictions: {html.escape(run)}</title>
<style>{STYLE}</style></head><body><h1>Predictions of {html.escape(run)}</h1>
<ol>{items}</ol></body></html>
"""


def write_pages(out_dir: Path, docs: Sequence[Document], predictions: Sequence[Prediction],
                theta: float, tau: float | None, run: str) -> list[Path]:
    """index.html and doc<k>.html for every document; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    by_title: dict[str, list[Prediction]] = {}
    for p in predictions:
        by_title.setdefault(p.title, []).append(p)
    files = {d.title: f"doc{k}.html" for k, d in enumerate(docs)}
    written = []
    for doc in docs:
        path = out_dir / files[doc.title]
        path.write_text(document_page(doc, by_title.get(doc.title, []), theta, tau, run),
                        encoding="utf-8")
        written.append(path)
    index = out_dir / "index.html"
    index.write_text(index_page(docs, {t: len(p) for t, p in by_title.items()}, files, run),
                     encoding="utf-8")
    return [index, *written]


def _name(doc: Document, entity: int) -> str:
    mentions = doc.entities[entity]
    return html.escape(mentions[0].name if mentions else f"entity {entity}")


def _text(doc: Document) -> str:
    """The sentences as spans, every mention token wrapped with its entity."""
    entity_at: dict[int, int] = {}
    for e, mentions in enumerate(doc.entities):
        for m in mentions:
            for token in range(m.start, m.end):
                entity_at.setdefault(token, e)
    parts = []
    for n, (start, sent) in enumerate(zip(doc.sent_starts, doc.sents)):
        words = [f"<span class='mention' data-entity='{entity_at[start + i]}'>"
                 f"{html.escape(w)}</span>" if start + i in entity_at else html.escape(w)
                 for i, w in enumerate(sent)]
        parts.append(f"<span class='sent' data-n='{n}'><span class='n'>S{n}</span>"
                     f"{' '.join(words)}</span>")
    return " ".join(parts)


def _json(data) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(data).replace("</", "<\\/")
