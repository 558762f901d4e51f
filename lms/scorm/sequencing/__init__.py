"""SCORM 2004 4th Edition Sequencing and Navigation engine (pure Python: no Flask, no DB).

Public API (what the player wires):

    from lms.scorm.sequencing import (
        build_activity_tree, SequencingSession, TrackingState, ScoReport, ObjectiveReport,
        NavigationResult, ManifestError)

    # 1. At import time (or lazily): the activity tree of one organization.
    tree = build_activity_tree(manifest_bytes_or_lxml_root, organization_id=None)
    #    tree.root, tree[activity_id] -> Activity (title, parameters, resource_id,
    #    is_visible, hide_lms_ui, children, all sequencing definition elements),
    #    tree.objectives_global_to_system, tree.shared_data_global_to_system.
    #    Raises ManifestError on a broken manifest.  Building is cheap: rebuild it from
    #    the stored manifest instead of pickling it.

    # 2. Per learner: restore the tracking state (a JSON-able dict you persist) and the
    #    learner's system-wide stores (dicts you persist per learner, shared by every
    #    package of that learner; used only when the organization's
    #    objectivesGlobalToSystem / sharedDataGlobalToSystem is true, the default).
    session = SequencingSession(tree, state_dict_or_None,
                                global_objectives=learner_globals_dict,
                                shared_data=learner_adl_data_dict,
                                seed=None,            # randomization (selection/reordering)
                                clock=None)           # epoch-seconds callable, default time.time
    result = session.start()            # start, or resumeAll when suspended
    result.delivered                    # activity id to launch (None if nothing)
    result.exception                    # SN exception code ('NB.2.1-1', 'SB.2.9-5', ...)
    result.ended                        # True when the sequencing session ended
    session.sco_init(activity_id)       # completion_threshold, scaled_passing_score,
                                        # max_time_allowed, time_limit_action, launch_data,
                                        # objectives (ids + values read from globals)

    # 3. When the SCO calls Terminate (cmi values of the attempt) then adl.nav.request:
    session.report(completion_status="completed", success_status="passed",
                   score_scaled=0.8, progress_measure=1.0, session_time="PT5M",
                   objectives=[{"id": "obj1", "success_status": "passed", "score_scaled": 0.9}],
                   exit="suspend"|"normal"|"",     # returns 'exitAll' for time-out/logout
                   set_by_content=["completion_status"])  # optional, see below
    #    "unknown" is taken as the data model's default (never set) unless listed in
    #    set_by_content (objectives: "set_fields"): then the LMS does not assume completed /
    #    satisfied at the end of the attempt, and an objective set to unknown clears its
    #    shared (global) value.  Do not report after abandon/abandonAll.
    result = session.navigate("continue")          # or previous, exit, exitAll, suspendAll,
                                                   # abandon, abandonAll, start, resumeAll,
                                                   # "{target=ID}choice", "{target=ID}jump"
    # LMS buttons / TOC send the same navigation requests.

    # 4. adl.nav.request_valid.* and the table of contents:
    session.request_valid("continue") / ("previous") / ("choice", "ID") / ("jump", "ID") -> bool
    session.request_valid_all()  # {'continue', 'previous', 'choice': {id: bool}, 'jump': {...}}
    session.targets_valid("choice")  # {id: bool} for every activity, in one pass (what the TOC uses)
    session.toc()                # rows: id, title, depth, visible, enabled, current, completed, satisfied
    #    Continue/Previous validity follows ADL's reference LMS: the flow is followed to the next
    #    activity (skips passed over) without entering the next cluster; choice/jump validity runs
    #    the whole Overall Sequencing Process on a copy of the state (nothing is changed).
    #    Hide buttons listed in tree[activity_id].hide_lms_ui (adlnav:hideLMSUI).

    # 5. adl.data:
    session.shared_data_maps(activity_id)   # [{'id', 'store', 'readable', 'writable'}]
    session.read_shared_data(target_id) / session.write_shared_data(target_id, value)

    # 6. Persist: session.to_dict() (tracking state), plus the learner's global dicts.

The processes themselves live in :mod:`.engine` (class ``Sequencer``), one method per
pseudo-code process of the SN book, named after it (NB.2.1, TB.2.3, SB.2.x, RB.1.x, DB.x).
"""
from .builder import ManifestError, build_activity_tree
from .engine import Sequencer, SequencingError
from .model import Activity, ActivityTree
from .session import NavigationResult, ObjectiveReport, ScoReport, SequencingSession, parse_nav_request
from .tracking import ActivityState, ObjectiveState, TrackingState

__all__ = [
    "Activity", "ActivityState", "ActivityTree", "ManifestError", "NavigationResult", "ObjectiveReport",
    "ObjectiveState", "ScoReport", "Sequencer", "SequencingError", "SequencingSession", "TrackingState",
    "build_activity_tree", "parse_nav_request",
]
