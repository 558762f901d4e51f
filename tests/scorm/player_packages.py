"""Tiny SCORM packages whose SCOs a test can drive: each SCO finds the API with the standard search
(window.parent chain, then window.opener), initializes on load and exposes ``window.sco`` so a browser
test calls GetValue/SetValue/Commit/Terminate through the real adapter. Written into zips per test."""
from __future__ import annotations

from pathlib import Path

from tests.scorm.packages import manifest_12, manifest_2004, write_zip

SCO_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p id="status">loading</p>
<script>
(function () {{
  var V = "{version}";
  function find(win, name) {{
    var tries = 0;
    while (win && !win[name] && win.parent && win.parent !== win && tries < 10) {{ win = win.parent; tries++; }}
    return win && win[name] ? win[name] : null;
  }}
  var name = V === "1.2" ? "API" : "API_1484_11";
  var api = find(window, name) || (window.opener ? find(window.opener, name) : null);
  var is12 = V === "1.2";
  window.sco = {{
    api: api, finished: false,
    init: function () {{ return is12 ? api.LMSInitialize("") : api.Initialize(""); }},
    get: function (e) {{ return is12 ? api.LMSGetValue(e) : api.GetValue(e); }},
    set: function (e, v) {{ return is12 ? api.LMSSetValue(e, v) : api.SetValue(e, v); }},
    commit: function () {{ return is12 ? api.LMSCommit("") : api.Commit(""); }},
    finish: function () {{ this.finished = true; return is12 ? api.LMSFinish("") : api.Terminate(""); }},
    error: function () {{ return is12 ? api.LMSGetLastError() : api.GetLastError(); }}
  }};
  window.addEventListener("load", function () {{
    var ok = sco.init();
    var entry = sco.get(is12 ? "cmi.core.entry" : "cmi.entry");
    document.getElementById("status").textContent = "ready " + ok + " entry=" + entry;
    document.body.setAttribute("data-ready", "1");
  }});
}})();
</script></body></html>
"""


def sco_page(title: str, version: str) -> str:
    return SCO_TEMPLATE.format(title=title, version=version)


def single_12(tmp_path: Path, mastery: int | None = None, max_time: str | None = None,
              time_action: str = "exit,message") -> Path:
    mastery_el = f"<adlcp:masteryscore>{mastery}</adlcp:masteryscore>" if mastery is not None else ""
    if max_time:
        mastery_el += (f"<adlcp:maxtimeallowed>{max_time}</adlcp:maxtimeallowed>"
                       f"<adlcp:timelimitaction>{time_action}</adlcp:timelimitaction>")
    manifest = manifest_12(
        f"""<organization identifier="ORG-1"><title>Single 1.2</title>
              <item identifier="SCO-1" identifierref="RES-1"><title>Only lesson</title>{mastery_el}</item>
            </organization>""",
        """<resource identifier="RES-1" type="webcontent" adlcp:scormtype="sco" href="sco1.html">
              <file href="sco1.html"/></resource>""")
    return write_zip(tmp_path / "single12.zip", {"imsmanifest.xml": manifest,
                                                  "sco1.html": sco_page("Only lesson", "1.2")})


def multi_12(tmp_path: Path) -> Path:
    manifest = manifest_12(
        """<organization identifier="ORG-1"><title>Multi 1.2</title>
              <item identifier="SCO-1" identifierref="RES-1"><title>Lesson one</title></item>
              <item identifier="SCO-2" identifierref="RES-2"><title>Lesson two</title></item>
            </organization>""",
        """<resource identifier="RES-1" type="webcontent" adlcp:scormtype="sco" href="one/index.html">
              <file href="one/index.html"/></resource>
           <resource identifier="RES-2" type="webcontent" adlcp:scormtype="sco" href="two/index.html">
              <file href="two/index.html"/></resource>""")
    return write_zip(tmp_path / "multi12.zip", {"imsmanifest.xml": manifest,
                                                 "one/index.html": sco_page("Lesson one", "1.2"),
                                                 "two/index.html": sco_page("Lesson two", "1.2")})


def package_2004(tmp_path: Path, scos: int = 2) -> Path:
    items = "".join(f'<item identifier="SCO-{i}" identifierref="RES-{i}"><title>Part {i}</title></item>'
                    for i in range(1, scos + 1))
    resources = "".join(f'<resource identifier="RES-{i}" type="webcontent" adlcp:scormType="sco" '
                        f'href="part{i}.html"><file href="part{i}.html"/></resource>' for i in range(1, scos + 1))
    manifest = manifest_2004(
        f"""<organization identifier="ORG-1"><title>Course 2004</title>{items}
              <imsss:sequencing><imsss:controlMode choice="true" flow="true"/></imsss:sequencing>
            </organization>""", resources)
    files = {"imsmanifest.xml": manifest}
    for i in range(1, scos + 1):
        files[f"part{i}.html"] = sco_page(f"Part {i}", "2004")
    return write_zip(tmp_path / "p2004.zip", files)


def single_12_finishing_on_unload(tmp_path: Path) -> Path:
    """A SCO that calls LMSFinish when it is unloaded, without setting cmi.core.exit (common in real content)."""
    page = sco_page("Polite lesson", "1.2").replace(
        "</script></body>",
        "window.addEventListener('pagehide', function () { if (!sco.finished) { sco.commit(); sco.finish(); } });"
        "</script></body>")
    manifest = manifest_12(
        """<organization identifier="ORG-1"><title>Polite</title>
              <item identifier="SCO-1" identifierref="RES-1"><title>Polite lesson</title></item></organization>""",
        """<resource identifier="RES-1" type="webcontent" adlcp:scormtype="sco" href="sco1.html">
              <file href="sco1.html"/></resource>""")
    return write_zip(tmp_path / "polite12.zip", {"imsmanifest.xml": manifest, "sco1.html": page})


def package_2004_global_objective(tmp_path: Path, name: str) -> Path:
    """One SCO whose primary objective reads and writes the global objective urn:tamkeen:safety."""
    manifest = manifest_2004(
        """<organization identifier="ORG-1"><title>Global objective</title>
              <item identifier="SCO-1" identifierref="RES-1"><title>Part</title>
                <imsss:sequencing><imsss:objectives>
                  <imsss:primaryObjective objectiveID="safety">
                    <imsss:mapInfo targetObjectiveID="urn:tamkeen:safety" readSatisfiedStatus="true"
                                   writeSatisfiedStatus="true"/>
                  </imsss:primaryObjective></imsss:objectives></imsss:sequencing>
              </item></organization>""",
        """<resource identifier="RES-1" type="webcontent" adlcp:scormType="sco" href="part1.html">
              <file href="part1.html"/></resource>""")
    return write_zip(tmp_path / name, {"imsmanifest.xml": manifest, "part1.html": sco_page("Part", "2004")})
