// The live selfie: the camera, the server's challenge plan, the prompts, the frames.
//
// The server issues a plan (a nonce and four steps, each with its window in ms after the first
// frame). Every frame carries t_ms = plan.issued_at + (performance.now() − when the plan
// arrived): the phone's monotonic clock anchored on the server's, so the server can check the
// windows without trusting the phone's wall clock. The still used as the selfie is taken in the
// rest pose, before the first prompt. Without a camera, the file input below stays the way on.
(function () {
  "use strict";
  var root = document.getElementById("lf-live");
  if (!root) { return; }
  var texts = JSON.parse(document.getElementById("lf-live-texts").textContent);
  var video = root.querySelector("video");
  var prompt = document.getElementById("lf-live-prompt");
  var bar = document.getElementById("lf-live-progress");
  var startButton = document.getElementById("lf-live-start");
  var problem = document.getElementById("lf-live-problem");
  var fallback = document.getElementById("lf-fallback");
  var FPS = 8;
  var FRAME_WIDTH = 480;
  var STILL_AT_MS = 450; // inside the rest pose: the first prompt comes at 800 ms
  var TAIL_MS = 300; // keep filming a little after the last window closes
  var stream = null;

  function field(name) { return root.getAttribute("data-" + name); }

  function say(text) { prompt.textContent = text; }

  function showProblem(text) {
    problem.textContent = text;
    problem.hidden = false;
  }

  function offerFallback() {
    if (fallback) { fallback.hidden = false; }
  }

  function stopCamera() {
    window.lfCamera.stop(stream);
    stream = null;
  }

  function post(url, body) {
    body.append("flow", field("flow"));
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": field("csrf"), "Accept": "application/json" }
    });
  }

  function cameraRefused(error) {
    window.lfCamera.refused(error, {
      errors: texts.errors, problem: problem, browserLink: document.getElementById("lf-live-browser"),
      errorUrl: field("error-url"), flow: field("flow"), csrf: field("csrf")
    });
    stopCamera();
    startButton.hidden = true;
    offerFallback();
  }

  function openCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return Promise.reject({ name: "Unsupported" });
    }
    return navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 720 } }
    }).then(function (opened) {
      stream = opened;
      video.srcObject = opened;
      return video.play();
    });
  }

  function fetchPlan() {
    return post(field("plan-url"), new FormData()).then(function (response) {
      if (!response.ok) { throw { name: "PlanRefused", status: response.status }; }
      return response.json();
    });
  }

  function grab(width, quality) {
    var scale = Math.min(1, width / video.videoWidth);
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  function stepAt(plan, elapsed) {
    for (var k = 0; k < plan.steps.length; k += 1) {
      var step = plan.steps[k];
      if (elapsed >= step.start_ms && elapsed < step.end_ms) { return step; }
    }
    return null;
  }

  // Films the plan: resolves with the frames, their times and the still.
  function perform(plan) {
    var anchor = performance.now();
    var frames = [];
    var pending = [];
    var still = null;
    var first = null;
    var last = plan.steps[plan.steps.length - 1].end_ms + TAIL_MS;
    return new Promise(function (resolve) {
      function tick() {
        var now = performance.now();
        var t = Math.round(plan.issued_at + (now - anchor));
        if (first === null) { first = t; }
        var elapsed = t - first;
        var step = stepAt(plan, elapsed);
        say(step ? texts.prompts[step.challenge] : (elapsed < plan.steps[0].start_ms ? texts.rest : texts.done));
        bar.value = Math.min(100, Math.round(100 * elapsed / last));
        if (still === null && elapsed >= STILL_AT_MS) {
          still = grab(video.videoWidth, 0.92);
        }
        pending.push(grab(FRAME_WIDTH, 0.8).then(function (blob) { frames.push({ t: t, blob: blob }); }));
        if (elapsed >= last) {
          Promise.all(pending.concat([still])).then(function (done) { resolve({ frames: frames, still: done[done.length - 1] }); });
          return;
        }
        window.setTimeout(tick, Math.max(0, 1000 / FPS - (performance.now() - now)));
      }
      tick();
    });
  }

  // The server's frame bundle: "LVF1", then per frame its time (8 bytes), its length (4) and
  // the JPEG, big-endian. The time is split in two 32-bit halves: no BigInt on older phones.
  function bundle(frames) {
    var parts = [new Uint8Array([76, 86, 70, 49])];
    frames.forEach(function (frame) {
      var header = new DataView(new ArrayBuffer(12));
      header.setUint32(0, Math.floor(frame.t / 4294967296));
      header.setUint32(4, frame.t % 4294967296);
      header.setUint32(8, frame.blob.size);
      parts.push(header.buffer, frame.blob);
    });
    return new Blob(parts, { type: "application/octet-stream" });
  }

  function upload(plan, film) {
    var body = new FormData();
    body.append("nonce", plan.nonce);
    film.frames.sort(function (a, b) { return a.t - b.t; });
    body.append("frames", bundle(film.frames), "frames.bin");
    body.append("photo", film.still, "selfie.jpg");
    say(texts.sending);
    return post(field("upload-url"), body).then(function (response) {
      return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
    });
  }

  function run() {
    startButton.disabled = true;
    problem.hidden = true;
    openCamera().then(function () {
      say(texts.getting_ready);
      return fetchPlan().then(function (plan) {
        return perform(plan).then(function (film) {
          stopCamera();
          return upload(plan, film);
        });
      }, function (error) {
        stopCamera();
        showProblem(texts.errors.PlanRefused);
        startButton.disabled = false;
        throw error;
      });
    }, cameraRefused).then(function (result) {
      if (!result) { return; }
      if (result.ok && result.answer.next) { window.location.assign(result.answer.next); return; }
      showProblem(result.answer.error || texts.errors.Other);
      say("");
      startButton.disabled = false;
      startButton.textContent = texts.again;
    }).catch(function () {});
  }

  // With the script running, the camera comes first and the file input waits behind a link.
  root.hidden = false;
  if (fallback) { fallback.hidden = true; }
  startButton.addEventListener("click", run);
  document.getElementById("lf-live-file").addEventListener("click", function () {
    stopCamera();
    offerFallback();
    if (fallback) { fallback.scrollIntoView({ block: "start" }); }
  });
})();
