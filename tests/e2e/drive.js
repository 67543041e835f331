#!/usr/bin/env node
/*
 * End-to-end driver for Back Stretch Coach: plays scripted conversations against the skill's
 * HTTP endpoint through virtual-alexa and records every request, response and SSML problem.
 *
 * Usage:  node tests/e2e/drive.js < spec.json      (or: node tests/e2e/drive.js spec.json)
 *
 * Spec (stdin):
 *   {
 *     "url": "http://127.0.0.1:PORT/",            loopback only (127.0.0.1, localhost, ::1)
 *     "model": "/abs/path/interaction_models/en-US.json",
 *     "locale": "en-US",                          optional, default en-US
 *     "applicationId": "amzn1.ask.skill.x",       optional; default: a random id per conversation
 *     "timeoutMs": 15000,                         optional per-request HTTP timeout
 *     "onInvalidResponse": "continue",            or "end-session" (see "Errors" below)
 *     "conversations": [{
 *        "name": "...", "userId": "optional fixed user id", "deviceId": "optional",
 *        "model"/"locale"/"applicationId": optional per-conversation overrides,
 *        "turns": [ ... ]
 *     }]
 *   }
 *
 * Turns:
 *   "launch"                        LaunchRequest (alexa.launch())
 *   "end"                           SessionEndedRequest reason USER_INITIATED (alexa.endSession())
 *   {"end": "EXCEEDED_MAX_REPROMPTS"} / {"end": "ERROR", "error": {"type": "...", "message": "..."}}
 *   "exit" / "quit"                 like a device: SessionEndedRequest USER_INITIATED
 *   "any other text"                matched against the model's samples (see "Utterances" below)
 *   {"intent": "AMAZON.NextIntent", "slots": {"Name": "value"}}   alexa.intend(...)
 *   {"utter": "text"}               same as the plain string; {"utter": "text", "raw": true} calls
 *                                   virtual-alexa's own alexa.utter(text) unchanged (with its quirks)
 *   A turn "end"/"exit"/"quit" with no open session is not sent: it is recorded with an error.
 *   Request timestamp options - allowed in every object turn that sends a request ({"utter": ...},
 *   {"intent": ...}, {"launch": true}, {"end": ...}; write a plain string or "launch" in object form
 *   to use them). They change request.timestamp of the turn's first request only (the one recorded
 *   as "request"; not any AudioPlayer.* event virtual-alexa sends afterwards):
 *     "afterMs": N         timestamp = wall-clock time at which the previous response of this
 *                          conversation was received + N ms (N any finite number), as ISO 8601 UTC
 *                          with milliseconds, e.g. "2026-11-29T17:46:41.123Z" (ask-sdk-model's
 *                          deserializer accepts milliseconds; Alexa itself sends whole seconds).
 *                          "Previous response" = the last HTTP 200 JSON response of this
 *                          conversation, in any earlier turn (failed requests do not count). A turn
 *                          with afterMs and no such response is not sent: it is recorded with an error.
 *                          The turn's record then also has "previousResponseAt" (that time, ISO).
 *     "timestamp": "ISO"   sent verbatim (any string, not validated - also for malformed-time tests)
 *     "timestamp": null    request.timestamp is removed from the request
 *   Without them the timestamp is virtual-alexa's: now, whole seconds ("2026-11-29T17:46:41Z").
 *   "afterMs" together with "timestamp" is an error. The rewrite happens in virtual-alexa's request
 *   filter (alexa.filter), just before the request is sent, so "request" shows what was sent.
 *   e.g. {"utter": "pause", "afterMs": 90000}, {"intent": "AMAZON.PauseIntent", "timestamp": null}
 *
 * Output (stdout, one JSON document):
 *   {"conversations": [{"name", "userId", "error": null|msg, "turns": [{
 *      "turn", "resolution" (what the turn became, e.g. "sample:AMAZON.NextIntent",
 *      "fallback:AMAZON.FallbackIntent", "launch", "end:USER_INITIATED", "intent:X"),
 *      "request" (exactly as sent, timestamp rewrites included), "previousResponseAt" (only with
 *      "afterMs"), "httpStatus", "response", "ssmlErrors": [{...ssml-check-core error, "source":
 *      "outputSpeech"|"reprompt"}], "error": null|"message", "sessionOpenAfter": bool,
 *      "extraExchanges": [...] only when virtual-alexa sent more than one request for the turn
 *      (AudioPlayer.* events after a Play directive) }]}]}
 *   Exit status 0 whenever the spec was readable (turn failures are data, not crashes); 2 for a bad
 *   spec (message on stderr).
 *
 * Errors: a non-200 status, a body that is not JSON, a timeout or a refused connection puts the
 *   message in "error" and the driver goes on with the next turn. With onInvalidResponse
 *   "end-session", a turn whose response failed or had SSML errors is followed - like a real device,
 *   which says "There was a problem with the requested skill's response" - by a synthetic
 *   SessionEndedRequest (reason ERROR, error.type INVALID_RESPONSE), recorded as an extra turn
 *   {"turn": {"synthetic": "SessionEndedRequest", ...}}; the next turn then opens a new session.
 *
 * ---------------------------------------------------------------------------------------------
 * Findings from reading virtual-alexa 0.7.8 / virtual-core 0.1.1 source (node_modules):
 *
 * Built-in intents (lib/src/model/BuiltinUtterances.js). virtual-alexa adds these sample phrases to
 * an AMAZON.* intent ONLY IF the model declares that intent - except that when the model declares
 * BOTH AMAZON.PauseIntent and AMAZON.ResumeIntent it also adds the whole "AudioPlayer" set (Pause,
 * Resume, Cancel, LoopOff, LoopOn, Next, Previous, Repeat, ShuffleOff, ShuffleOn, StartOver) even
 * if undeclared. Samples the model itself gives for an AMAZON.* intent are used as well.
 *   AMAZON.NextIntent       "next", "skip", "skip forward"
 *   AMAZON.PreviousIntent   "go back", "previous", "skip back", "back up"
 *   AMAZON.RepeatIntent     "repeat", "say that again", "repeat that"
 *   AMAZON.PauseIntent      "pause", "pause that"
 *   AMAZON.ResumeIntent     "resume", "continue", "keep going"
 *   AMAZON.StartOverIntent  "start over", "restart", "start again"
 *   AMAZON.StopIntent       "stop", "off", "shut up"
 *   AMAZON.CancelIntent     "cancel", "never mind"
 *   AMAZON.HelpIntent       "help", "help me"
 *   AMAZON.YesIntent        "yes", "yes please", "sure"
 *   AMAZON.NoIntent         "no", "no thanks"
 *   AMAZON.NavigateHomeIntent "home", "go home"; AMAZON.MoreIntent "more"; plus Loop*, Shuffle*,
 *   Page*, Scroll*, NavigateSettings. AMAZON.FallbackIntent has NO samples.
 * Matching (virtual-core Utterance/SampleUtterances): the whole utterance must match one sample,
 *   case-insensitive, after deleting the characters ! " ¿ ? | # $ % / ( ) = + - _ < > * { } · ¡ [ ] . , ; :
 *   (so "warm-up" becomes "warmup"; apostrophes stay). Samples are turned into regexes WITHOUT
 *   escaping. The best match is the one with the most literal (non-slot) characters. A custom slot
 *   only matches its values and synonyms (case-insensitive); unlike real Alexa, an unknown value
 *   does not arrive with ER_SUCCESS_NO_MATCH - the sample simply does not match. Slot types that
 *   are not defined in the model (e.g. AMAZON.SearchQuery) match anything; AMAZON.NUMBER matches
 *   digits and number words.
 * Slot elicitation (Dialog.ElicitSlot): virtual-alexa keeps dialog state but never consults a slot's own
 *   samples (intents[].slots[].samples, the utterances Alexa uses while a skill elicits that slot). This
 *   driver does, as Alexa does: after a response with Dialog.ElicitSlot (session still open), the next
 *   utterance is first matched against that slot's samples ("{time}", "at {time}": whole utterance, the
 *   same character deletion, the slot capturing one or more words; a custom slot type only its values and
 *   synonyms); a match is sent as that intent with that slot (resolution "elicited:Intent.slot"), anything
 *   else is matched as usual. virtual-alexa itself requires every intent a Dialog directive names to be in
 *   the model's dialog section.
 * Utterance that matches nothing: alexa.utter() throws "Unable to match utterance: ... to an
 *   intent" and sends nothing - it never produces AMAZON.FallbackIntent. This driver sends
 *   AMAZON.FallbackIntent instead when the model declares it (like Alexa would for out-of-domain
 *   speech), otherwise it records the error.
 * Why this driver does not call alexa.utter() for plain strings: alexa.utter() treats any text
 *   matching the UNANCHORED, case-insensitive regex (ask|open|launch|talk to|tell) followed by ".*"
 *   as a launch phrase, so "tell me more", "what can I ask", "task", "reopen" or "intelligent"
 *   become a LaunchRequest (or, with " to X", an utterance of the text after "to"). It also maps
 *   only "exit" (not "quit") to SessionEndedRequest.
 *   The driver does the same sample matching (virtual-core Utterance) without that launch regex,
 *   and maps exactly "exit"/"quit" to SessionEndedRequest USER_INITIATED, as a device does.
 * Sessions (lib/src/impl/SkillInteractor.js): one SkillSession per VirtualAlexa; request
 *   session.new is true until a response arrives; sessionAttributes from a response are sent back
 *   on the next request (a response WITHOUT sessionAttributes keeps the previous ones). A response
 *   with shouldEndSession true (or any SessionEndedRequest) closes the session and the next turn
 *   opens a new one (new: true, new sessionId; LaunchRequests carry no attributes). A missing
 *   shouldEndSession keeps the session open (a device may behave differently). virtual-alexa never
 *   times out: there is no automatic EXCEEDED_MAX_REPROMPTS - script it with {"end": ...}.
 *   A failed request (non-200/timeout) leaves the session as it was.
 * User id: alexa.context().user().setID(id) (SkillContext -> User); it is copied into
 *   session.user.userId and context.System.user.userId. Device id: alexa.context().device().setID()
 *   - only then are deviceId, apiEndpoint ("https://api.amazonalexa.com", never contacted by the
 *   driver) and apiAccessToken included. Requests always declare supportedInterfaces.AudioPlayer
 *   and context.AudioPlayer.playerActivity ("IDLE" until a Play directive).
 * Request hook: alexa.filter(fn) calls fn(requestJSON) right before each request is sent (one filter
 *   per VirtualAlexa; fn may change the object in place - the same object is then POSTed).
 *   Requests are built with request.timestamp = now truncated to whole seconds + "Z".
 * HTTP: RemoteSkillInteractor.invoke() hides the status code (rejects non-200 with a string and
 *   has no timeout), so this driver replaces the interactor's invoke() with its own POST that
 *   records the status and the body and has a timeout.
 * Network: virtual-alexa requires aws-sdk v2 and nock at load; neither makes a request at load,
 *   and in skillURL mode nothing is sent except the POSTs to the skill URL. As a guard, this driver
 *   refuses (before connecting or resolving) every socket connection to anything but loopback, and
 *   silences aws-sdk's end-of-support notice (AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE).
 * ssml-check-core 0.3.9 check(ssml, {platform: "amazon", locale}) - see tests/support/e2e.py's
 *   module docstring for what it does and does not catch. The locale matters: without it,
 *   amazon:emotion is reported as an error.
 */
"use strict";

process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = "1";

const fs = require("fs");
const http = require("http");
const net = require("net");
const path = require("path");

// ---- Network guard: only loopback connections, installed before any library is loaded. ----
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"]);

function isLoopbackHost(host) {
    return LOOPBACK_HOSTS.has(String(host).toLowerCase());
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
    let first = args[0];
    if (Array.isArray(first)) {
        first = first[0]; // Node's internal normalized [options, callback] form
    }
    let host;
    let isPipe = false;
    if (first !== null && typeof first === "object") {
        isPipe = typeof first.path === "string" && first.port === undefined;
        host = first.host;
    } else if (typeof first === "string" && !/^\d+$/.test(first)) {
        isPipe = true;
    } else if (typeof args[1] === "string") {
        host = args[1];
    }
    if (!isPipe) {
        const target = host === undefined || host === null || host === "" ? "localhost" : host;
        if (!isLoopbackHost(target)) {
            const err = new Error(`drive.js network guard: refused a connection to ${target}; only loopback is allowed`);
            process.nextTick(() => this.destroy(err));
            return this;
        }
    }
    return originalConnect.apply(this, args);
};

// Keep stdout for the single JSON document: anything a library logs goes to stderr.
console.log = (...a) => console.error(...a);
console.info = (...a) => console.error(...a);

const va = require("virtual-alexa");
const { VirtualAlexa } = va;
const { SessionEndedReason } = require("virtual-alexa/lib/src/core/SkillRequest");
// The same virtual-core instance that virtual-alexa uses.
const { Utterance } = require(require.resolve("virtual-core", { paths: [path.dirname(require.resolve("virtual-alexa"))] }));
const ssmlCheck = require("ssml-check-core");

const DEFAULT_TIMEOUT_MS = 15000;

function message(err) {
    if (err instanceof Error) {
        return err.message || String(err);
    }
    if (typeof err === "string") {
        return err;
    }
    try {
        return JSON.stringify(err);
    } catch (e) {
        return String(err);
    }
}

function clone(obj) {
    return obj === undefined ? null : JSON.parse(JSON.stringify(obj));
}

/** POST one request; records status/body on `exchange`; resolves the parsed JSON on 200. */
function postJSON(url, requestJSON, timeoutMs, exchange) {
    const target = new URL(url);
    const body = JSON.stringify(requestJSON);
    return new Promise((resolve, reject) => {
        let settled = false;
        const fail = (err) => {
            if (!settled) {
                settled = true;
                reject(err instanceof Error ? err : new Error(String(err)));
            }
        };
        const req = http.request({
            agent: false,
            headers: {
                "Content-Length": Buffer.byteLength(body),
                "Content-Type": "application/json; charset=utf-8",
            },
            hostname: target.hostname.replace(/^\[|\]$/g, ""),
            method: "POST",
            path: target.pathname + target.search,
            port: target.port ? parseInt(target.port, 10) : 80,
            timeout: timeoutMs,
        }, (res) => {
            if (exchange) {
                exchange.httpStatus = res.statusCode;
            }
            const chunks = [];
            res.on("data", (c) => chunks.push(c));
            res.on("error", fail);
            res.on("end", () => {
                const text = Buffer.concat(chunks).toString("utf8");
                let parsed;
                let parseError = null;
                try {
                    parsed = JSON.parse(text);
                } catch (e) {
                    parseError = e;
                }
                if (exchange) {
                    exchange.response = parseError ? null : parsed;
                    if (parseError) {
                        exchange.rawBody = text.slice(0, 4000);
                    }
                }
                if (res.statusCode !== 200) {
                    fail(new Error(`HTTP ${res.statusCode} ${res.statusMessage || ""}: ${text.slice(0, 500)}`));
                } else if (parseError) {
                    fail(new Error(`response is not JSON (${parseError.message}): ${text.slice(0, 500)}`));
                } else if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
                    fail(new Error(`response is not a JSON object: ${text.slice(0, 500)}`));
                } else {
                    settled = true;
                    resolve(parsed);
                }
            });
        });
        req.on("timeout", () => {
            req.destroy(new Error(`no response within ${timeoutMs} ms`));
        });
        req.on("error", fail);
        req.end(body);
    });
}

async function checkSsml(responseJSON, locale) {
    const errors = [];
    const r = responseJSON && typeof responseJSON === "object" ? responseJSON.response : undefined;
    if (!r || typeof r !== "object") {
        return errors;
    }
    const speeches = [
        ["outputSpeech", r.outputSpeech],
        ["reprompt", r.reprompt && typeof r.reprompt === "object" ? r.reprompt.outputSpeech : undefined],
    ];
    for (const [source, speech] of speeches) {
        if (!speech || typeof speech !== "object") {
            continue;
        }
        if (speech.type !== "SSML" && speech.ssml === undefined) {
            continue; // PlainText
        }
        if (typeof speech.ssml !== "string") {
            errors.push({ type: "SSML outputSpeech without an ssml string", source });
            continue;
        }
        try {
            // check() writes defaults into the options object: pass a fresh one each time.
            const found = await ssmlCheck.check(speech.ssml, { platform: "amazon", locale });
            for (const e of found || []) {
                errors.push(Object.assign({}, e, { source }));
            }
        } catch (e) {
            errors.push({ type: `ssml-check-core failed: ${message(e)}`, source });
        }
    }
    return errors;
}

function describeEndReason(reason) {
    const name = reason === undefined || reason === null ? "USER_INITIATED" : String(reason);
    if (!(name in SessionEndedReason) || typeof SessionEndedReason[name] !== "number") {
        throw new Error(`unknown SessionEndedRequest reason ${JSON.stringify(reason)}; use one of ERROR, EXCEEDED_MAX_REPROMPTS, USER_INITIATED`);
    }
    return name;
}

function requireIntentInModel(alexa, intentName) {
    if (!alexa.context().interactionModel().hasIntent(intentName)) {
        throw new Error(`intent ${intentName} is not in the interaction model (virtual-alexa only knows declared intents, `
            + "plus the AudioPlayer built-ins when both AMAZON.PauseIntent and AMAZON.ResumeIntent are declared)");
    }
}

const DELETED_CHARS = /[!"¿?|#$%/()=+\-_<>*{}·¡[\].,;:]/g;

/**
 * The intent and slots an utterance gives while `eliciting` ({intent, slot}) is asked for, from that
 * slot's own samples in the model JSON `modelJSON`; null when none fits.
 */
function elicitedAnswer(modelJSON, eliciting, text) {
    if (!eliciting || !modelJSON) {
        return null;
    }
    const language = (modelJSON.interactionModel || modelJSON).languageModel;
    const intent = (language.intents || []).find((i) => i.name === eliciting.intent);
    const slot = intent && (intent.slots || []).find((s) => s.name === eliciting.slot);
    if (!slot || !Array.isArray(slot.samples)) {
        return null;
    }
    const customType = (language.types || []).find((t) => t.name === slot.type);
    const known = customType
        ? new Set(customType.values.flatMap((v) => [v.name.value, ...(v.name.synonyms || [])]).map((p) => p.toLowerCase()))
        : null;
    const said = text.replace(DELETED_CHARS, "").toLowerCase().split(/\s+/).filter(Boolean).join(" ");
    const escape = (word) => word.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
    for (const sample of slot.samples) {
        const pattern = sample.split(/\s+/).map((w) => (w === `{${slot.name}}` ? "(.+)" : escape(w.toLowerCase()))).join(" ");
        const found = new RegExp(`^${pattern}$`).exec(said);
        if (found && (!known || known.has(found[1]))) {
            return { intent: eliciting.intent, slots: { [slot.name]: found[1] } };
        }
    }
    return null;
}

/** The {intent, slot} a response elicits with Dialog.ElicitSlot, or null. */
function elicitationOf(responseJSON) {
    const directives = (responseJSON && responseJSON.response && responseJSON.response.directives) || [];
    const elicit = directives.find((d) => d && d.type === "Dialog.ElicitSlot" && d.updatedIntent);
    return elicit ? { intent: elicit.updatedIntent.name, slot: elicit.slotToElicit } : null;
}

/**
 * Works out what a turn means; returns {resolution, send: () => Promise}. Throws for bad turns.
 * `elicit` ({modelJSON, eliciting}) is the slot the last response elicited, if any.
 */
function planTurn(alexa, turn, elicit) {
    const endSession = (reason, errorData) => {
        const name = describeEndReason(reason);
        if (!alexa.context().activeSession()) {
            throw new Error("no open session to end; SessionEndedRequest not sent");
        }
        return {
            resolution: `end:${name}`,
            send: () => alexa.endSession(SessionEndedReason[name], errorData),
        };
    };
    const intent = (name, slots, resolution) => {
        requireIntentInModel(alexa, name);
        return {
            resolution,
            send: () => alexa.request().intent(name).slots(slots || undefined).send(),
        };
    };
    const utterance = (text) => {
        const clean = String(text).trim();
        if (/^(exit|quit)$/i.test(clean)) {
            return endSession("USER_INITIATED");
        }
        const answer = elicit ? elicitedAnswer(elicit.modelJSON, elicit.eliciting, clean) : null;
        if (answer) {
            return intent(answer.intent, answer.slots, `elicited:${answer.intent}.${elicit.eliciting.slot}`);
        }
        const model = alexa.context().interactionModel();
        const u = new Utterance(model, clean);
        if (u.matched()) {
            return intent(u.intent(), u.toJSON(), `sample:${u.intent()}`);
        }
        if (model.hasIntent("AMAZON.FallbackIntent")) {
            return intent("AMAZON.FallbackIntent", undefined, "fallback:AMAZON.FallbackIntent");
        }
        throw new Error(`unable to match utterance ${JSON.stringify(clean)} to an intent, and the model has no AMAZON.FallbackIntent`);
    };

    if (typeof turn === "string") {
        const t = turn.trim();
        if (t.toLowerCase() === "launch") {
            return { resolution: "launch", send: () => alexa.launch() };
        }
        if (t.toLowerCase() === "end") {
            return endSession("USER_INITIATED");
        }
        return utterance(t);
    }
    if (turn !== null && typeof turn === "object" && !Array.isArray(turn)) {
        if (typeof turn.intent === "string") {
            return intent(turn.intent, turn.slots, `intent:${turn.intent}`);
        }
        if ("end" in turn) {
            return endSession(turn.end === true ? "USER_INITIATED" : turn.end, turn.error);
        }
        if (turn.launch === true) {
            return { resolution: "launch", send: () => alexa.launch() };
        }
        if (typeof turn.utter === "string") {
            if (turn.raw === true) {
                return { resolution: "utter-raw", send: () => alexa.utter(turn.utter) };
            }
            return utterance(turn.utter);
        }
    }
    throw new Error(`unrecognised turn ${JSON.stringify(turn)}`);
}

/**
 * The request options of a turn ("afterMs", "timestamp"; see "Turns" above) as a function that
 * rewrites a request JSON in place, or null when the turn has none. Throws for bad values.
 * `state.lastResponseAt` is the ms time of the conversation's last 200 JSON response (or null);
 * `note` receives extra fields for the turn's record.
 */
function timestampRewrite(turn, state, note) {
    if (turn === null || typeof turn !== "object" || Array.isArray(turn)) {
        return null;
    }
    const hasAfter = Object.prototype.hasOwnProperty.call(turn, "afterMs");
    const hasTimestamp = Object.prototype.hasOwnProperty.call(turn, "timestamp");
    if (hasAfter && hasTimestamp) {
        throw new Error("a turn may have \"afterMs\" or \"timestamp\", not both");
    }
    if (hasAfter) {
        const ms = turn.afterMs;
        if (typeof ms !== "number" || !Number.isFinite(ms)) {
            throw new Error(`"afterMs" must be a finite number of milliseconds, not ${JSON.stringify(ms)}`);
        }
        if (state.lastResponseAt === null) {
            throw new Error("\"afterMs\" needs a previous response in this conversation; request not sent");
        }
        const base = state.lastResponseAt;
        const when = new Date(base + ms);
        if (Number.isNaN(when.getTime())) {
            throw new Error(`"afterMs" ${ms} gives a time out of range`);
        }
        note.previousResponseAt = new Date(base).toISOString();
        const iso = when.toISOString();
        return (requestJSON) => {
            requestJSON.request.timestamp = iso;
        };
    }
    if (hasTimestamp) {
        const ts = turn.timestamp;
        if (ts === null) {
            return (requestJSON) => {
                delete requestJSON.request.timestamp;
            };
        }
        if (typeof ts !== "string") {
            throw new Error(`"timestamp" must be a string or null, not ${JSON.stringify(ts)}`);
        }
        return (requestJSON) => {
            requestJSON.request.timestamp = ts;
        };
    }
    return null;
}

class Recorder {
    constructor() {
        this.exchanges = null;
        this.rewrite = null;
    }
    /** Start a turn; `rewrite` (or null) is applied to the turn's first request only. */
    begin(rewrite) {
        this.exchanges = [];
        this.rewrite = rewrite || null;
    }
    onRequest(requestJSON) {
        if (this.exchanges) {
            if (this.exchanges.length === 0 && this.rewrite) {
                this.rewrite(requestJSON);
            }
            this.exchanges.push({ request: clone(requestJSON), httpStatus: null, response: null });
        }
    }
    current() {
        return this.exchanges && this.exchanges.length ? this.exchanges[this.exchanges.length - 1] : null;
    }
    end() {
        const ex = this.exchanges || [];
        this.exchanges = null;
        this.rewrite = null;
        return ex;
    }
}

async function runTurn(alexa, recorder, turn, locale, state) {
    const record = {
        turn,
        resolution: null,
        request: null,
        httpStatus: null,
        response: null,
        ssmlErrors: [],
        error: null,
        sessionOpenAfter: null,
    };
    const note = {};
    try {
        const plan = planTurn(alexa, turn, state.elicit);
        record.resolution = plan.resolution;
        recorder.begin(timestampRewrite(turn, state, note));
        Object.assign(record, note);
        await plan.send();
    } catch (e) {
        record.error = message(e);
    }
    const exchanges = recorder.end();
    if (exchanges.length) {
        const main = exchanges[0];
        record.request = main.request;
        record.httpStatus = main.httpStatus;
        record.response = main.response;
        if (main.rawBody !== undefined) {
            record.rawBody = main.rawBody;
        }
        record.ssmlErrors = await checkSsml(main.response, locale);
        if (exchanges.length > 1) {
            record.extraExchanges = [];
            for (const ex of exchanges.slice(1)) {
                ex.ssmlErrors = await checkSsml(ex.response, locale);
                record.extraExchanges.push(ex);
            }
        }
    }
    record.sessionOpenAfter = alexa.context().activeSession();
    if (state.elicit) {
        state.elicit.eliciting = record.sessionOpenAfter ? elicitationOf(record.response) : null;
    }
    return record;
}

async function runConversation(spec, conv, index) {
    const locale = conv.locale || spec.locale || "en-US";
    const model = conv.model || spec.model;
    const appId = conv.applicationId || spec.applicationId;
    const timeoutMs = Number(conv.timeoutMs || spec.timeoutMs || DEFAULT_TIMEOUT_MS);
    const onInvalid = conv.onInvalidResponse || spec.onInvalidResponse || "continue";
    const result = { name: conv.name || `conversation-${index + 1}`, userId: null, error: null, turns: [] };

    let alexa;
    try {
        if (!Array.isArray(conv.turns)) {
            throw new Error("conversation has no \"turns\" array");
        }
        if (!["continue", "end-session"].includes(onInvalid)) {
            throw new Error(`onInvalidResponse must be "continue" or "end-session", not ${JSON.stringify(onInvalid)}`);
        }
        const builder = VirtualAlexa.Builder().skillURL(spec.url).interactionModelFile(model).locale(locale);
        if (appId) {
            builder.applicationID(appId);
        }
        alexa = builder.create();
        if (conv.userId) {
            alexa.context().user().setID(String(conv.userId));
        }
        if (conv.deviceId) {
            alexa.context().device().setID(String(conv.deviceId));
        }
    } catch (e) {
        result.error = message(e);
        return result;
    }
    result.userId = alexa.context().user().id();

    const recorder = new Recorder();
    // lastResponseAt: wall-clock ms when the last 200 JSON response of this conversation arrived.
    // elicit: the model JSON and the slot the last response elicited (Dialog.ElicitSlot), if any.
    const state = { lastResponseAt: null, elicit: { modelJSON: JSON.parse(fs.readFileSync(model, "utf8")), eliciting: null } };
    alexa.filter((requestJSON) => recorder.onRequest(requestJSON));
    alexa.interactor().invoke = async (requestJSON) => {
        const parsed = await postJSON(spec.url, requestJSON, timeoutMs, recorder.current());
        state.lastResponseAt = Date.now();
        return parsed;
    };

    for (const turn of conv.turns) {
        const record = await runTurn(alexa, recorder, turn, locale, state);
        result.turns.push(record);
        const failed = record.request !== null && (record.error !== null || record.ssmlErrors.length > 0);
        const wasEnd = record.request && record.request.request && record.request.request.type === "SessionEndedRequest";
        if (onInvalid === "end-session" && failed && !wasEnd && alexa.context().activeSession()) {
            const why = record.error || `invalid SSML: ${JSON.stringify(record.ssmlErrors)}`;
            const errorData = { type: "INVALID_RESPONSE", message: why.slice(0, 500) };
            const synthetic = { synthetic: "SessionEndedRequest", end: "ERROR", error: errorData };
            const endRecord = await runTurn(alexa, recorder, synthetic, locale, state);
            // Whatever the skill answers, the device has ended the session.
            if (alexa.context().activeSession()) {
                alexa.context().endSession();
            }
            endRecord.sessionOpenAfter = false;
            result.turns.push(endRecord);
        }
    }
    return result;
}

function validateSpec(spec) {
    if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
        throw new Error("the spec must be a JSON object");
    }
    if (typeof spec.url !== "string") {
        throw new Error("spec.url must be a string such as http://127.0.0.1:PORT/");
    }
    let u;
    try {
        u = new URL(spec.url);
    } catch (e) {
        throw new Error(`spec.url is not a URL: ${spec.url}`);
    }
    if (u.protocol !== "http:") {
        throw new Error(`spec.url must be plain http on loopback, not ${u.protocol}`);
    }
    if (!isLoopbackHost(u.hostname)) {
        throw new Error(`spec.url must point at loopback (127.0.0.1, localhost, ::1), not ${u.hostname}`);
    }
    if (!Array.isArray(spec.conversations)) {
        throw new Error("spec.conversations must be an array");
    }
    const models = [spec.model].concat(spec.conversations.map((c) => c && c.model)).filter((m) => m !== undefined);
    if (!spec.model && spec.conversations.some((c) => !c || !c.model)) {
        throw new Error("spec.model (path of the interaction model JSON) is required");
    }
    for (const m of models) {
        if (typeof m !== "string" || !fs.existsSync(m)) {
            throw new Error(`interaction model not found: ${m}`);
        }
    }
}

async function main(argv) {
    let text;
    try {
        text = argv.length > 2 ? fs.readFileSync(argv[2], "utf8") : fs.readFileSync(0, "utf8");
    } catch (e) {
        process.stderr.write(`drive.js: cannot read the spec: ${message(e)}\n`);
        return 2;
    }
    let spec;
    try {
        spec = JSON.parse(text);
        validateSpec(spec);
    } catch (e) {
        process.stderr.write(`drive.js: bad spec: ${message(e)}\n`);
        return 2;
    }
    const out = { conversations: [] };
    for (let i = 0; i < spec.conversations.length; i++) {
        const conv = spec.conversations[i] || {};
        try {
            out.conversations.push(await runConversation(spec, conv, i));
        } catch (e) {
            out.conversations.push({ name: conv.name || `conversation-${i + 1}`, userId: null, error: message(e), turns: [] });
        }
    }
    process.stdout.write(JSON.stringify(out, null, 1) + "\n");
    return 0;
}

module.exports = { checkSsml, elicitedAnswer, isLoopbackHost, planTurn, postJSON, timestampRewrite };

if (require.main === module) {
    main(process.argv).then(
        (code) => {
            process.exitCode = code;
        },
        (e) => {
            process.stderr.write(`drive.js: internal error: ${e && e.stack ? e.stack : message(e)}\n`);
            process.exitCode = 1;
        },
    );
}
