"""The stage timer of benchmarks/repro_times.py on a fake `dvc repro` output."""
import io

from benchmarks import repro_times


class FakeRepro:
    def __init__(self, *args, **kwargs):
        self.stdout = io.StringIO("Running stage 'a':\n> python -m a\n"
                                  "Stage 'b' didn't change, skipping\n"
                                  "Running stage 'c':\nfailed\n")

    def wait(self):
        return 1


def test_each_stage_that_ran_is_recorded_and_a_failed_last_one_marked(monkeypatch, capsys):
    clock = iter([0.0, 10.0, 25.0, 40.0])
    monkeypatch.setattr(repro_times.subprocess, "Popen", FakeRepro)
    monkeypatch.setattr(repro_times.time, "monotonic", lambda: next(clock))
    rows = []
    status = repro_times.timed_repro([], lambda *row: rows.append(row))
    assert status == 1
    assert rows == [("a", 15.0, True), ("c", 15.0, False)]
    assert "skipping" in capsys.readouterr().out               # dvc's output is echoed
