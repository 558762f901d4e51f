"""A SCORM 2004 4th Edition package with forced order and remediation, written into a zip per test.

    ORG (choice off, flow)
      MODULE (choice off, flow, forwardOnly: the learner cannot go back by themselves)
        CONTENT  — the lesson; completes, reports no success status and does not count in the
                   satisfaction rollup (rollupObjectiveSatisfied=false)
        POSTTEST — the post-test; its primary objective decides the module's satisfaction.
                   Post-condition: not satisfied → exitParent
      MODULE post-condition: not satisfied → retry (a new attempt of the module: the lesson again, then
      the post-test again)

The SCOs are the player tests' tiny pages (``window.sco`` drives the real API)."""
from __future__ import annotations

from pathlib import Path

from tests.scorm.packages import manifest_2004, write_zip
from tests.scorm.player_packages import sco_page

NOT_SATISFIED = """<imsss:ruleConditions conditionCombination="any">
  <imsss:ruleCondition operator="not" condition="satisfied"/></imsss:ruleConditions>"""


def remediation_2004(tmp_path: Path) -> Path:
    organization = f"""<organization identifier="ORG-1"><title>Remediation</title>
      <item identifier="MODULE"><title>Safety module</title>
        <item identifier="CONTENT" identifierref="RES-CONTENT"><title>Lesson</title>
          <imsss:sequencing>
            <imsss:rollupRules rollupObjectiveSatisfied="false" rollupProgressCompletion="true"/>
          </imsss:sequencing>
        </item>
        <item identifier="POSTTEST" identifierref="RES-POSTTEST"><title>Post-test</title>
          <imsss:sequencing>
            <imsss:sequencingRules>
              <imsss:postConditionRule>{NOT_SATISFIED}
                <imsss:ruleAction action="exitParent"/></imsss:postConditionRule>
            </imsss:sequencingRules>
            <imsss:objectives>
              <imsss:primaryObjective objectiveID="posttest-passed" satisfiedByMeasure="false"/>
            </imsss:objectives>
          </imsss:sequencing>
        </item>
        <imsss:sequencing>
          <imsss:controlMode choice="false" flow="true" forwardOnly="true"/>
          <imsss:sequencingRules>
            <imsss:postConditionRule>{NOT_SATISFIED}
              <imsss:ruleAction action="retry"/></imsss:postConditionRule>
          </imsss:sequencingRules>
        </imsss:sequencing>
      </item>
      <imsss:sequencing><imsss:controlMode choice="false" flow="true"/></imsss:sequencing>
    </organization>"""
    resources = """
      <resource identifier="RES-CONTENT" type="webcontent" adlcp:scormType="sco" href="lesson.html">
        <file href="lesson.html"/></resource>
      <resource identifier="RES-POSTTEST" type="webcontent" adlcp:scormType="sco" href="posttest.html">
        <file href="posttest.html"/></resource>"""
    return write_zip(tmp_path / "remediation2004.zip", {
        "imsmanifest.xml": manifest_2004(organization, resources),
        "lesson.html": sco_page("Lesson", "2004"),
        "posttest.html": sco_page("Post-test", "2004")})
