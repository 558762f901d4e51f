/* A plain cmi5 AU: launch parameters, fetch, LMS.LaunchData, learner preferences, then initialized;
   "Finish" sends completed, passed (scaled 0.9) and terminated, and returns to the LMS. */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var endpoint = params.get("endpoint");
  var actor = JSON.parse(params.get("actor"));
  var registration = params.get("registration");
  var activityId = params.get("activityId");
  var auth = null, launchData = null, started = Date.now();
  var status = document.getElementById("status");

  function xapi(method, resource, query, body) {
    var url = endpoint.replace(/\/$/, "") + "/" + resource + (query ? "?" + new URLSearchParams(query).toString() : "");
    var headers = {"X-Experience-API-Version": "1.0.3", "Authorization": auth};
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(url, {method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body)})
      .then(function (r) { if (!r.ok) { throw new Error(resource + " " + r.status); } return r; });
  }
  function uuid() {
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0; return (c === "x" ? r : (r & 3 | 8)).toString(16);
    });
  }
  function seconds() { return "PT" + ((Date.now() - started) / 1000).toFixed(2) + "S"; }
  function statement(verb, result, moveOn, extensions) {
    var context = JSON.parse(JSON.stringify(launchData.contextTemplate));
    context.registration = registration;
    context.contextActivities = context.contextActivities || {};
    context.contextActivities.category = [{id: "https://w3id.org/xapi/cmi5/context/categories/cmi5"}];
    if (moveOn) { context.contextActivities.category.push({id: "https://w3id.org/xapi/cmi5/context/categories/moveon"}); }
    if (extensions) { Object.keys(extensions).forEach(function (k) { context.extensions[k] = extensions[k]; }); }
    var s = {id: uuid(), actor: actor, verb: {id: "http://adlnet.gov/expapi/verbs/" + verb, display: {"en-US": verb}},
             object: {objectType: "Activity", id: activityId}, context: context, timestamp: new Date().toISOString()};
    if (result) { s.result = result; }
    return s;
  }
  function send(s) { return xapi("POST", "statements", null, s); }

  fetch(params.get("fetch"), {method: "POST"}).then(function (r) { return r.json(); }).then(function (body) {
    if (!body["auth-token"]) { throw new Error("fetch: " + body["error-text"]); }
    auth = "Basic " + body["auth-token"];
    return xapi("GET", "activities/state", {activityId: activityId, agent: JSON.stringify(actor),
                                            registration: registration, stateId: "LMS.LaunchData"});
  }).then(function (r) { return r.json(); }).then(function (data) {
    launchData = data;
    return xapi("GET", "agents/profile", {agent: JSON.stringify(actor), profileId: "cmi5LearnerPreferences"})
      .then(function (r) { return r.json(); })
      .then(function (prefs) { document.getElementById("prefs").textContent = prefs.languagePreference; },
            function () { /* no preferences: defaults */ });
  }).then(function () {
    return send(statement("initialized"));
  }).then(function () {
    status.textContent = "ready " + launchData.launchMode;
    document.getElementById("finish").disabled = false;
  }).catch(function (error) { status.textContent = "error: " + error.message; });

  document.getElementById("finish").addEventListener("click", function () {
    var mastery = launchData.masteryScore;
    var ext = {}; ext["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] = mastery;
    send(statement("completed", {completion: true, duration: seconds()}, true))
      .then(function () { return send(statement("passed", {success: true, duration: seconds(), score: {scaled: 0.9}}, true, ext)); })
      .then(function () { return send(statement("terminated", {duration: seconds()})); })
      .then(function () { status.textContent = "done"; window.location.href = launchData.returnURL; })
      .catch(function (error) { status.textContent = "error: " + error.message; });
  });
})();
