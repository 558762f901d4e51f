/* Tamkeen SCORM run-time: the data models of SCORM 1.2 and 2004 in the browser.
 *
 * The element rules come from the server (lms/scorm/runtime/datamodel.py, element_table); the value checks
 * below mirror lms/scorm/runtime/types.py name for name, and the same test table runs against both.
 * The server validates every value again: this copy exists so that a SCO gets the book's answer at once.
 */
(function (global) {
  'use strict';

  var REAL = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;
  var CMI_DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)$/;
  var CMI_SINTEGER = /^[-+]?\d+$/;
  var WHITESPACE = /\s/;
  var URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$/i;
  var LANGUAGE = /^(?:[A-Za-z]{2,3}|[iIxX])(?:-[A-Za-z0-9]{1,8})*$/;
  var LANG_PREFIX = /^\{lang=([^}]*)\}/;
  var TIME_2004 = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,2}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/;
  var INTERVAL = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
  var TIMESPAN_12 = /^(\d{2,4}):(\d{2}):(\d{2})(\.\d{1,2})?$/;
  var TIME_12 = /^(\d{2}):(\d{2}):(\d{2})(\.\d{1,2})?$/;
  var ID_12 = /^[\x21-\x7e]{1,255}$/;
  var BOOL_OPTION = /^\{(case_matters|order_matters)=(true|false)\}/;
  var NAV_TARGET = /^\{target=([^}\s]+)\}(choice|jump)$/;

  function isReal(v) { return REAL.test(v); }
  function checkReal(v, lo, hi) {
    if (!REAL.test(v)) return 'type';
    var n = parseFloat(v);
    if ((lo !== undefined && lo !== null && n < lo) || (hi !== undefined && hi !== null && n > hi)) return 'range';
    return null;
  }
  function checkCharacterstring(v, spm) { return v.length > spm ? 'spm' : null; }
  function checkLanguage(v, allowEmpty) {
    if (v === '') return allowEmpty === false ? 'type' : null;
    return (v.length > 250 || !LANGUAGE.test(v)) ? 'type' : null;
  }
  function checkLocalized(v, spm) {
    var m = LANG_PREFIX.exec(v);
    if (m) {
      if (checkLanguage(m[1], false)) return 'type';
      v = v.slice(m[0].length);
    }
    return v.length > spm ? 'spm' : null;
  }
  function checkIdentifier(v, spm) {
    if (spm === undefined) spm = 4000;
    if (v === '' || WHITESPACE.test(v)) return 'type';
    if (v.toLowerCase().indexOf('urn:') === 0 && !URN.test(v)) return 'type';
    if (v.length > spm) return 'spm';
    return null;
  }
  function daysInMonth(y, m) { return new Date(Date.UTC(y, m, 0)).getUTCDate(); }
  function checkTime(v) {
    var m = TIME_2004.exec(v);
    if (!m) return 'type';
    var y = +m[1];
    if (y < 1970 || y > 2038) return 'type';
    if (m[2] !== undefined && (+m[2] < 1 || +m[2] > 12)) return 'type';
    if (m[3] !== undefined && (+m[3] < 1 || +m[3] > daysInMonth(y, +m[2]))) return 'type';
    if (m[4] !== undefined && +m[4] > 23) return 'type';
    if (m[5] !== undefined && +m[5] > 59) return 'type';
    if (m[6] !== undefined && +m[6] > 59) return 'type';
    var tz = m[8];
    if (tz && tz !== 'Z') {
      var th = +tz.slice(1, 3), tm = tz.length > 3 ? +tz.slice(-2) : 0;
      if (th > 23 || tm > 59) return 'type';
    }
    return null;
  }
  function checkInterval(v) {
    var m = INTERVAL.exec(v);
    if (!m) return 'type';
    var groups = m.slice(1);
    if (!groups.some(function (g) { return g !== undefined; })) return 'type';
    if (v.indexOf('T') >= 0 && !groups.slice(3).some(function (g) { return g !== undefined; })) return 'type';
    return null;
  }
  function checkTimespan12(v) {
    var m = TIMESPAN_12.exec(v);
    return (!m || +m[2] > 59 || +m[3] > 59) ? 'type' : null;
  }
  function checkTime12(v) {
    var m = TIME_12.exec(v);
    return (!m || +m[1] > 23 || +m[2] > 59 || +m[3] > 59) ? 'type' : null;
  }
  function checkDecimal12(v, lo, hi, blank) {
    if (v === '') return blank ? null : 'type';
    if (!CMI_DECIMAL.test(v)) return 'type';
    var n = parseFloat(v);
    if ((lo !== undefined && lo !== null && n < lo) || (hi !== undefined && hi !== null && n > hi)) return 'range';
    return null;
  }
  function checkSinteger12(v, lo, hi) {
    if (!CMI_SINTEGER.test(v)) return 'type';
    var n = parseInt(v, 10);
    return (n < lo || n > hi) ? 'range' : null;
  }

  function shortIds(v, allowEmptyList, unique) {
    if (v === '') return allowEmptyList ? null : 'type';
    var parts = v.split('[,]');
    for (var i = 0; i < parts.length; i++) if (checkIdentifier(parts[i], 250)) return 'type';
    if (unique) {
      var seen = {};
      for (var j = 0; j < parts.length; j++) {
        if (Object.prototype.hasOwnProperty.call(seen, parts[j])) return 'type';
        seen[parts[j]] = true;
      }
    }
    return null;
  }
  function stripOptions(v, allowed) {
    var seen = {};
    for (;;) {
      var m = BOOL_OPTION.exec(v);
      if (!m) break;
      if (allowed.indexOf(m[1]) < 0 || seen[m[1]]) return [v, 'type'];
      seen[m[1]] = true;
      v = v.slice(m[0].length);
    }
    return [v, null];
  }
  function numericRange(v) {
    if (v.indexOf('[:]') < 0) return 'type';
    var i = v.indexOf('[:]'), lo = v.slice(0, i), hi = v.slice(i + 3);
    if ((lo && !isReal(lo)) || (hi && !isReal(hi))) return 'type';
    if (lo && hi && parseFloat(lo) > parseFloat(hi)) return 'type';
    return null;
  }
  function partition(s, sep) {
    var i = s.indexOf(sep);
    return i < 0 ? [s, '', ''] : [s.slice(0, i), sep, s.slice(i + sep.length)];
  }
  function checkResponse(kind, v, pattern) {
    var r, parts, i;
    switch (kind) {
      case 'true-false': return (v === 'true' || v === 'false') ? null : 'type';
      case 'choice': return shortIds(v, true, true);
      case 'sequencing': return shortIds(v, false, false);
      case 'likert': return checkIdentifier(v, 250) ? 'type' : null;
      case 'fill-in':
        if (pattern) { r = stripOptions(v, ['case_matters', 'order_matters']); if (r[1]) return r[1]; v = r[0]; }
        if (v === '') return null;
        parts = v.split('[,]');
        if (parts.length > 10) return 'type';
        for (i = 0; i < parts.length; i++) if (checkLocalized(parts[i], 250)) return 'type';
        return null;
      case 'long-fill-in':
        if (pattern) { r = stripOptions(v, ['case_matters']); if (r[1]) return r[1]; v = r[0]; }
        return checkLocalized(v, 4000);
      case 'matching':
        if (v === '') return null;
        parts = v.split('[,]');
        for (i = 0; i < parts.length; i++) {
          var p = partition(parts[i], '[.]');
          if (!p[1] || checkIdentifier(p[0], 250) || checkIdentifier(p[2], 250)) return 'type';
        }
        return null;
      case 'performance':
        if (pattern) { r = stripOptions(v, ['order_matters']); if (r[1]) return r[1]; v = r[0]; }
        if (v === '') return 'type';
        parts = v.split('[,]');
        for (i = 0; i < parts.length; i++) {
          var s = partition(parts[i], '[.]');
          if (!s[1] || (s[0] === '' && s[2] === '')) return 'type';
          if (s[0] && checkIdentifier(s[0], 250)) return 'type';
          if (s[2].length > 250) return 'type';
          if (pattern && s[2].indexOf('[:]') >= 0 && numericRange(s[2])) return 'type';
        }
        return null;
      case 'numeric': return pattern ? numericRange(v) : (isReal(v) ? null : 'type');
      case 'other': return checkCharacterstring(v, 4000);
      default: return 'type';
    }
  }

  function check(spec, v) {
    switch (spec.t) {
      case 'vocab': return spec.values.indexOf(v) >= 0 ? null : 'type';
      case 'string': return checkCharacterstring(v, spec.spm);
      case 'localized': return checkLocalized(v, spec.spm);
      case 'identifier': return checkIdentifier(v, spec.spm || 4000);
      case 'real': return checkReal(v, spec.min, spec.max);
      case 'time': return checkTime(v);
      case 'interval': return checkInterval(v);
      case 'language': return checkLanguage(v, true);
      case 'result': return (['correct', 'incorrect', 'unanticipated', 'neutral'].indexOf(v) >= 0 || isReal(v)) ? null : 'type';
      case 'string12': return v.length > spec.spm ? 'type' : null;
      case 'identifier12': return ID_12.test(v) ? null : 'type';
      case 'decimal12': return checkDecimal12(v, spec.min, spec.max, !!spec.blank);
      case 'sinteger12': return checkSinteger12(v, spec.min, spec.max);
      case 'timespan12': return checkTimespan12(v);
      case 'time12': return checkTime12(v);
      case 'result12': return (['correct', 'wrong', 'unanticipated', 'neutral'].indexOf(v) >= 0 || CMI_DECIMAL.test(v)) ? null : 'type';
      default: throw new Error('unknown type spec ' + spec.t);
    }
  }

  function patternOf(path) {
    var parts = path.split('.'), indices = [];
    for (var i = 0; i < parts.length; i++) {
      if (/^[0-9]+$/.test(parts[i])) { indices.push(parseInt(parts[i], 10)); parts[i] = 'n'; }
    }
    return [parts.join('.'), indices];
  }
  function concrete(pattern, indices) {
    var k = 0;
    return pattern.split('.').map(function (p) { return p === 'n' ? String(indices[k++]) : p; }).join('.');
  }
  function asText(v) {
    if (v === null || v === undefined) return '';
    if (v === true) return 'true';
    if (v === false) return 'false';
    return String(v);
  }
  var ID_FIRST = { 'cmi.objectives': 'id', 'cmi.interactions': 'id', 'cmi.interactions.n.objectives': 'id' };
  var LENIENT_LIMIT = 4 * 1024 * 1024;

  /* One SCO launch: the API state machine and the data model (same algorithm as datamodel.ScoRuntime). */
  function ScoRuntime(table, values, counts, options) {
    options = options || {};
    this.table = table;
    this.is12 = table.edition === '1.2';
    this.elements = table.elements;
    this.children = table.children;
    this.arrays = table.arrays;
    this.values = Object.assign({}, values || {});
    this.counts = Object.assign({}, counts || {});
    this.nav = options.nav || {};
    this.lenient = !!options.lenient;
    this.sharedData = (options.sharedData || []).map(function (m) { return Object.assign({}, m); });
    if (this.sharedData.length) this.counts['adl.data'] = this.sharedData.length;
    this.state = 'not_initialized';
    this.lastError = 0;
    this.diagnostic = '';
    var containers = this.is12 ? { cmi: 1 } : { cmi: 1, adl: 1, 'adl.nav': 1, 'adl.nav.request_valid': 1 };
    Object.keys(this.elements).forEach(function (p) {
      var parts = p.split('.');
      for (var i = 1; i < parts.length; i++) containers[parts.slice(0, i).join('.')] = 1;
    });
    this.containers = containers;
  }
  var P = ScoRuntime.prototype;
  P._fail = function (code, diag) { this.lastError = code; this.diagnostic = diag || ''; return 'false'; };
  P._ok = function (result) { this.lastError = 0; this.diagnostic = ''; return result === undefined ? 'true' : result; };
  P.initialize = function (arg) {
    if (this.state === 'running') return this._fail(this.is12 ? 101 : 103);
    if (this.state === 'terminated') return this._fail(this.is12 ? 101 : 104);
    if (asText(arg) !== '') return this._fail(201);
    this.state = 'running';
    return this._ok();
  };
  P.terminate = function (arg) {
    if (this.state === 'not_initialized') return this._fail(this.is12 ? 301 : 112);
    if (this.state === 'terminated') return this._fail(this.is12 ? 301 : 113);
    if (asText(arg) !== '') return this._fail(201);
    this.state = 'terminated';
    return this._ok();
  };
  P.commit = function (arg) {
    if (this.state === 'not_initialized') return this._fail(this.is12 ? 301 : 142);
    if (this.state === 'terminated') return this._fail(this.is12 ? 301 : 143);
    if (asText(arg) !== '') return this._fail(201);
    return this._ok();
  };
  P.getLastError = function () { return String(this.lastError); };
  P.getErrorString = function (code) { var s = this.table.errors[String(parseInt(code, 10))]; return s === undefined ? '' : s; };
  P.getDiagnostic = function (code) {
    return this.diagnostic || this.getErrorString(code !== undefined && code !== '' ? code : this.lastError);
  };
  P.getValue = function (element) {
    if (this.state === 'not_initialized') { this._fail(this.is12 ? 301 : 122); return ''; }
    if (this.state === 'terminated') { this._fail(this.is12 ? 301 : 123); return ''; }
    var r = this._get(typeof element === 'string' ? element : '');
    if (r[0]) { this._fail(r[0]); return ''; }
    return this._ok(r[1]);
  };
  P.setValue = function (element, value) {
    if (this.state === 'not_initialized') return this._fail(this.is12 ? 301 : 132);
    if (this.state === 'terminated') return this._fail(this.is12 ? 301 : 133);
    var code = this._set(typeof element === 'string' ? element : '', asText(value));
    return code ? this._fail(code) : this._ok();
  };
  P._undefined = function () { return this.is12 ? 201 : 401; };
  P._getFailure = function () { return this.is12 ? 201 : 301; };
  P._setFailure = function () { return this.is12 ? 201 : 351; };
  P._reasonCode = function (reason) { return this.is12 ? 405 : ({ type: 406, range: 407, spm: 351 })[reason]; };
  P.count = function (path) { return this.counts[path] || 0; };
  P._indicesExist = function (pattern, indices) {
    var parts = pattern.split('.'), seen = 0;
    for (var i = 0; i < parts.length; i++) {
      if (parts[i] !== 'n') continue;
      var arrayPath = concrete(parts.slice(0, i).join('.'), indices.slice(0, seen));
      if (indices[seen] >= this.count(arrayPath)) return false;
      seen++;
    }
    return true;
  };
  P._known = function (p) { return Object.prototype.hasOwnProperty.call(this.elements, p) || !!this.containers[p]; };
  P._isArray = function (p) { return this.arrays.indexOf(p) >= 0; };
  P._get = function (element) {
    if (element === '') return [this.is12 ? 201 : 301, ''];
    if (!this.is12 && element.indexOf('adl.nav.request_valid.') === 0) {
      return this._requestValid(element.slice('adl.nav.request_valid.'.length));
    }
    var pi = patternOf(element), pattern = pi[0], indices = pi[1];
    var dot = pattern.lastIndexOf('.'), head = pattern.slice(0, dot), keyword = pattern.slice(dot + 1);
    if (keyword === '_version') return head === 'cmi' ? [0, this.table.version] : [this._undefined(), ''];
    if (keyword === '_children') {
      if (Object.prototype.hasOwnProperty.call(this.children, head)) {
        if (head.indexOf('n') >= 0 && head.split('.').indexOf('n') >= 0 && !this._indicesExist(head, indices)) return [this._getFailure(), ''];
        return [0, this.children[head]];
      }
      if (this._known(head) || this._isArray(head)) return [this.is12 ? 202 : 301, ''];
      return [this._undefined(), ''];
    }
    if (keyword === '_count') {
      if (this._isArray(head)) {
        if (head.split('.').indexOf('n') >= 0 && !this._indicesExist(head, indices)) return [this._getFailure(), ''];
        return [0, String(this.count(concrete(head, indices)))];
      }
      if (this._known(head)) return [this.is12 ? 203 : 301, ''];
      return [this._undefined(), ''];
    }
    var spec = this.elements[pattern];
    if (!spec || !Object.prototype.hasOwnProperty.call(this.elements, pattern)) return [this._undefined(), ''];
    if (spec.access === 'wo') return [this.is12 ? 404 : 405, ''];
    if (indices.length && !this._indicesExist(pattern, indices)) return [this._getFailure(), ''];
    if (pattern === 'adl.data.n.store') {
      var map = this.sharedData[indices[0]];
      if (map.readable === false) return [405, ''];
      return (map.store === null || map.store === undefined) ? [403, ''] : [0, map.store];
    }
    if (pattern === 'adl.data.n.id') return [0, this.sharedData[indices[0]].id];
    if (pattern === 'cmi.completion_status' || pattern === 'cmi.success_status') {
      var evaluated = this.evaluatedStatus(pattern);
      if (evaluated !== null) return [0, evaluated];
    }
    if (Object.prototype.hasOwnProperty.call(this.values, element)) return [0, this.values[element]];
    if (spec['default'] !== null && spec['default'] !== undefined) return [0, spec['default']];
    return this.is12 ? [0, ''] : [403, ''];
  };
  /* RTE 4th ed. 4.2.4.1 / 4.2.22.1: a threshold (passing score) makes the LMS answer from the measure. */
  P.evaluatedStatus = function (element) {
    if (this.is12) return null;
    var limit, measure, words;
    if (element === 'cmi.completion_status') {
      limit = this.values['cmi.completion_threshold']; measure = this.values['cmi.progress_measure'];
      words = ['completed', 'incomplete'];
    } else {
      limit = this.values['cmi.scaled_passing_score']; measure = this.values['cmi.score.scaled'];
      words = ['passed', 'failed'];
    }
    if (limit === undefined || limit === null || limit === '') return null;
    if (measure === undefined || measure === null || measure === '') return 'unknown';
    return parseFloat(measure) >= parseFloat(limit) ? words[0] : words[1];
  };
  P._requestValid = function (rest) {
    var nav = this.nav;
    function word(v) { return typeof v === 'string' ? v : (v === true ? 'true' : v === false ? 'false' : 'unknown'); }
    if (rest === 'continue') return [0, word(nav['continue'])];
    if (rest === 'previous') return [0, word(nav.previous)];
    var kinds = ['choice', 'jump'];
    for (var i = 0; i < kinds.length; i++) {
      var kind = kinds[i];
      if (rest === kind) return [301, ''];
      if (rest.indexOf(kind + '.') === 0) {
        var m = /^\{target=([^}\s]+)\}$/.exec(rest.slice(kind.length + 1));
        if (!m) return [301, ''];
        var mapping = nav[kind] || {};
        if (Object.prototype.hasOwnProperty.call(mapping, m[1])) return [0, word(mapping[m[1]])];
        return [0, Object.keys(mapping).length ? 'false' : 'unknown'];
      }
    }
    return [401, ''];
  };
  P._set = function (element, value) {
    if (element === '') return this.is12 ? 201 : 351;
    if (!this.is12 && element.indexOf('adl.nav.request_valid') === 0) {
      var g = this._requestValid(element.slice('adl.nav.request_valid.'.length))[0];
      return (g === 0 || g === 301) ? 404 : 401;
    }
    var pi = patternOf(element), pattern = pi[0], indices = pi[1];
    var dot = pattern.lastIndexOf('.'), head = pattern.slice(0, dot), keyword = pattern.slice(dot + 1);
    if (keyword === '_children' || keyword === '_count' || keyword === '_version') {
      var readable = (keyword === '_version' && head === 'cmi') ||
        (keyword === '_children' && Object.prototype.hasOwnProperty.call(this.children, head)) ||
        (keyword === '_count' && this._isArray(head));
      if (this.is12) return readable ? 402 : 201;
      return readable ? 404 : 401;
    }
    if (!Object.prototype.hasOwnProperty.call(this.elements, pattern)) return this._undefined();
    var spec = this.elements[pattern];
    if (spec.access === 'ro') return this.is12 ? 403 : 404;
    var code = this._checkIndices(pattern, indices);
    if (code) return code;
    code = this._checkValue(element, pattern, indices, spec, value);
    if (code) return code;
    this._store(pattern, indices, element, value);
    return 0;
  };
  P._checkIndices = function (pattern, indices) {
    if (!indices.length) return 0;
    var parts = pattern.split('.'), seen = 0;
    for (var i = 0; i < parts.length; i++) {
      if (parts[i] !== 'n') continue;
      var arrayPattern = parts.slice(0, i).join('.');
      var arrayPath = concrete(arrayPattern, indices.slice(0, seen));
      var index = indices[seen], count = this.count(arrayPath);
      if (index > count) return this._setFailure();
      if (index === count) {
        var rest = parts.slice(i + 1).join('.');
        if (seen < indices.length - 1) return this.is12 ? 201 : 408;
        var first = ID_FIRST[arrayPattern];
        if (!this.is12 && first && rest !== first) return 408;
        if (arrayPattern === 'adl.data') return 351;
      }
      seen++;
    }
    return 0;
  };
  P._checkValue = function (element, pattern, indices, spec, value) {
    var kind = spec.type.t, i;
    if (kind === 'navrequest') return (this.table.navRequests.indexOf(value) >= 0 || NAV_TARGET.test(value)) ? 0 : 406;
    if (kind === 'pattern' || kind === 'response') {
      var base = 'cmi.interactions.' + indices[0];
      var itype = this.values[base + '.type'];
      if (itype === undefined) return 408;
      if (kind === 'pattern') {
        var limit = this.table.patternLimits[itype] || 1;
        if (indices[1] >= limit) return 351;
      }
      var reason = checkResponse(itype, value, kind === 'pattern');
      if (reason) return (reason === 'type' || reason === 'range') ? 406 : 351;
      if (kind === 'pattern' && itype === 'choice') {
        var n = this.count(base + '.correct_responses');
        for (i = 0; i < n; i++) {
          if (i !== indices[1] && this.values[base + '.correct_responses.' + i + '.pattern'] === value) return 351;
        }
      }
      return 0;
    }
    if (pattern === 'adl.data.n.store' && this.sharedData[indices[0]].writable === false) return 404;
    if (pattern === 'cmi.suspend_data' && this.lenient) return value.length <= LENIENT_LIMIT ? 0 : this._reasonCode('spm');
    var r = check(spec.type, value);
    if (r) return this._reasonCode(r);
    if (!this.is12) {
      if (pattern === 'cmi.objectives.n.id') {
        var current = this.values[element];
        if (current !== undefined && current !== value) return 351;
        for (i = 0; i < this.count('cmi.objectives'); i++) {
          if (i !== indices[0] && this.values['cmi.objectives.' + i + '.id'] === value) return 351;
        }
      }
      if (pattern === 'cmi.interactions.n.objectives.n.id') {
        var b = 'cmi.interactions.' + indices[0] + '.objectives';
        for (i = 0; i < this.count(b); i++) {
          if (i !== indices[1] && this.values[b + '.' + i + '.id'] === value) return 351;
        }
      }
    }
    return 0;
  };
  P._store = function (pattern, indices, element, value) {
    var parts = pattern.split('.'), seen = 0;
    for (var i = 0; i < parts.length; i++) {
      if (parts[i] !== 'n') continue;
      var arrayPath = concrete(parts.slice(0, i).join('.'), indices.slice(0, seen));
      if (indices[seen] === this.count(arrayPath)) this.counts[arrayPath] = indices[seen] + 1;
      seen++;
    }
    if (pattern === 'adl.data.n.store') { this.sharedData[indices[0]].store = value; return; }
    this.values[element] = value;
  };

  /* The API objects a SCO finds. ``hooks`` receives every call that changes state (init, set, commit, term)
   * so the player can journal and commit them; GetValue never leaves the browser. */
  function makeApi(runtime, hooks) {
    hooks = hooks || {};
    function note(kind, a, b) { if (hooks.record) hooks.record(kind, a, b); }
    var initialize = function (arg) {
      var r = runtime.initialize(arg === undefined ? '' : arg);
      if (r === 'true') note('init');
      return r;
    };
    var terminate = function (arg) {
      var r = runtime.terminate(arg === undefined ? '' : arg);
      if (r === 'true') { note('term'); if (hooks.terminated) hooks.terminated(runtime); }
      return r;
    };
    var getValue = function (el) { return runtime.getValue(el); };
    var setValue = function (el, v) {
      var r = runtime.setValue(el, v);
      if (r === 'true') note('set', el, asText(v));
      return r;
    };
    var commit = function (arg) {
      var r = runtime.commit(arg === undefined ? '' : arg);
      if (r === 'true') { note('commit'); if (hooks.committed) hooks.committed(runtime); }
      return r;
    };
    var lastError = function () { return runtime.getLastError(); };
    var errorString = function (c) { return runtime.getErrorString(c); };
    var diagnostic = function (c) { return runtime.getDiagnostic(c); };
    if (runtime.is12) {
      return { LMSInitialize: initialize, LMSFinish: terminate, LMSGetValue: getValue, LMSSetValue: setValue,
               LMSCommit: commit, LMSGetLastError: lastError, LMSGetErrorString: errorString,
               LMSGetDiagnostic: diagnostic, version: '1.2' };
    }
    return { Initialize: initialize, Terminate: terminate, GetValue: getValue, SetValue: setValue, Commit: commit,
             GetLastError: lastError, GetErrorString: errorString, GetDiagnostic: diagnostic, version: '1.0' };
  }

  global.TamkeenScorm = { ScoRuntime: ScoRuntime, makeApi: makeApi, check: check, checkResponse: checkResponse,
                          patternOf: patternOf };
})(window);
