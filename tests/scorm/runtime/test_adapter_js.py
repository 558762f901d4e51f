"""The JavaScript adapter answers the same table as the server, in Chromium."""
from __future__ import annotations

from pathlib import Path

import pytest

from lms.scorm.runtime.datamodel import element_table

from .cases import CASES, STATE_CASES
from .test_datamodel import run_case, run_state

RUNTIME_JS = Path(__file__).resolve().parents[3] / "lms" / "scorm" / "static" / "scorm" / "runtime.js"

RUN_TABLE = """([tables, cases]) => cases.map(([edition, setup, op, element, value]) => {
  const rt = new TamkeenScorm.ScoRuntime(tables[edition], {}, {}, {});
  rt.initialize('');
  for (const [el, val] of setup) {
    if (rt.setValue(el, val) !== 'true') return ['setup failed', el, rt.lastError];
  }
  const result = op === 'get' ? rt.getValue(element) : rt.setValue(element, value);
  return [result, rt.lastError];
})"""

RUN_STATES = """([tables, cases]) => cases.map(([edition, calls]) => {
  const rt = new TamkeenScorm.ScoRuntime(tables[edition], {}, {}, {});
  let result = null;
  for (const [name, ...args] of calls) {
    if (name === 'init') result = rt.initialize(args.length ? args[0] : '');
    else if (name === 'term') result = rt.terminate(args.length ? args[0] : '');
    else if (name === 'commit') result = rt.commit(args.length ? args[0] : '');
    else if (name === 'get') result = rt.getValue(args[0]);
    else result = rt.setValue(args[0], args[1]);
  }
  return [result, rt.lastError];
})"""


@pytest.fixture(scope="module")
def js_page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(RUNTIME_JS))
    yield page
    context.close()


def _tables():
    return {"1.2": element_table("1.2"), "2004": element_table("2004")}


@pytest.mark.browser
def test_js_adapter_answers_the_whole_table_like_the_server(js_page):
    rows = [[c[0], [list(s) for s in c[1]], c[2], c[3], c[4]] for c in CASES]
    answers = js_page.evaluate(RUN_TABLE, [_tables(), rows])
    mismatches = []
    for case, (result, code) in zip(CASES, answers):
        edition, setup, op, element, value, expected, error = case
        server = run_case(edition, setup, op, element, value)
        if code != error or (expected is not None and result != expected) or [result, code] != list(server):
            mismatches.append((edition, op, element, (value or "")[:30], "js", result[:30] if isinstance(result, str)
                               else result, code, "expected", error, "server", server[1]))
    assert not mismatches, "\n".join(map(str, mismatches))
    assert len(answers) == len(CASES) > 300


@pytest.mark.browser
def test_js_adapter_state_machine_matches(js_page):
    rows = [[c[0], [list(call) for call in c[1]]] for c in STATE_CASES]
    answers = js_page.evaluate(RUN_STATES, [_tables(), rows])
    for case, answer in zip(STATE_CASES, answers):
        assert tuple(answer) == case[2] == run_state(case[0], case[1]), case


@pytest.mark.browser
def test_js_api_objects_have_the_standard_names(js_page):
    names = js_page.evaluate("""(tables) => {
      const a = TamkeenScorm.makeApi(new TamkeenScorm.ScoRuntime(tables['1.2']), {});
      const b = TamkeenScorm.makeApi(new TamkeenScorm.ScoRuntime(tables['2004']), {});
      return [Object.keys(a).sort(), Object.keys(b).sort()];
    }""", _tables())
    assert {"LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError",
            "LMSGetErrorString", "LMSGetDiagnostic"} <= set(names[0])
    assert {"Initialize", "Terminate", "GetValue", "SetValue", "Commit", "GetLastError", "GetErrorString",
            "GetDiagnostic"} <= set(names[1])


@pytest.mark.browser
def test_js_adapter_evaluates_statuses_like_the_server(js_page):
    from .test_datamodel import EVALUATED

    answers = js_page.evaluate("""([table, cases]) => cases.map(([lms, sets, element]) => {
      const rt = new TamkeenScorm.ScoRuntime(table, lms, {}, {});
      rt.initialize('');
      for (const [el, val] of sets) rt.setValue(el, val);
      return rt.getValue(element);
    })""", [element_table("2004"), [[c[0], [list(x) for x in c[1]], c[2]] for c in EVALUATED]])
    assert answers == [c[3] for c in EVALUATED]
