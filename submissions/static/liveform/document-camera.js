// The document camera: the back camera with a guide of the document's proportions, and a shutter
// that fires by itself once the document inside the guide is steady, sharp and well lit.
//
// Several times a second the part of the picture under the guide is sampled small and in grey:
// its mean brightness, its sharpness (mean absolute Laplacian: the text and edges of a document
// in focus) and its motion (mean absolute change since the previous sample). Sharpness is judged
// against the sharpest sample seen so far as well as a floor, because how sharp a camera gets
// differs from phone to phone. The photo is the full camera frame, for the server's reader; it is
// put into the page's file input, so the form posts it exactly as a chosen photo, and it is shown
// so the person can take it again. Without a camera, the file input below is the way on.
(function () {
  "use strict";
  var root = document.getElementById("lf-doc-camera");
  if (!root) { return; }
  var texts = JSON.parse(document.getElementById("lf-doc-camera-texts").textContent);
  var video = root.querySelector("video");
  var frame = root.querySelector(".lf-doc-frame");
  var guide = root.querySelector(".lf-doc-guide");
  var status = document.getElementById("lf-doc-status");
  var problem = document.getElementById("lf-doc-problem");
  var startButton = document.getElementById("lf-doc-start");
  var shutter = document.getElementById("lf-doc-shutter");
  var fallback = document.getElementById("lf-fallback");
  var taken = document.getElementById("lf-doc-taken");
  var preview = document.getElementById("lf-doc-preview");
  var input = document.getElementById("id_photo");
  var SAMPLE_MS = 150;
  var SAMPLE_WIDTH = 240;
  var STEADY_SAMPLES = 5; // about three quarters of a second without moving
  var MIN_LUMA = 55, MAX_LUMA = 225;
  var MAX_MOTION = 4.0; // grey levels, mean over the guide
  var MIN_SHARPNESS = 3.0; // mean |Laplacian|: a blank table or a blurred card stays below
  var SHARP_SHARE = 0.8; // of the sharpest sample seen
  var stream = null, timer = null, previous = null, best = 0, steady = 0, previewUrl = null;
  var sampler = document.createElement("canvas");

  function field(name) { return root.getAttribute("data-" + name); }

  function say(text) { status.textContent = text; }

  function stopCamera() {
    if (timer) { window.clearInterval(timer); }
    timer = null;
    window.lfCamera.stop(stream);
    stream = null;
  }

  function cameraRefused(error) {
    window.lfCamera.refused(error, {
      errors: texts.errors, problem: problem, browserLink: document.getElementById("lf-doc-browser"),
      errorUrl: field("error-url"), flow: field("flow"), csrf: field("csrf")
    });
    stopCamera();
    startButton.hidden = true;
    shutter.hidden = true;
    fallback.hidden = false;
  }

  // The guide's rectangle in the video's own pixels (the video is shown cropped to fill its box).
  function guideInVideo() {
    var box = frame.getBoundingClientRect();
    var rect = guide.getBoundingClientRect();
    var scale = Math.max(box.width / video.videoWidth, box.height / video.videoHeight);
    var offsetX = (video.videoWidth * scale - box.width) / 2;
    var offsetY = (video.videoHeight * scale - box.height) / 2;
    return {
      x: Math.max(0, (rect.left - box.left + offsetX) / scale),
      y: Math.max(0, (rect.top - box.top + offsetY) / scale),
      width: Math.min(video.videoWidth, rect.width / scale),
      height: Math.min(video.videoHeight, rect.height / scale)
    };
  }

  function greySample() {
    var area = guideInVideo();
    var width = SAMPLE_WIDTH;
    var height = Math.max(8, Math.round(width * area.height / area.width));
    sampler.width = width;
    sampler.height = height;
    var context = sampler.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, area.x, area.y, area.width, area.height, 0, 0, width, height);
    var rgba = context.getImageData(0, 0, width, height).data;
    var grey = new Float32Array(width * height);
    for (var i = 0, j = 0; i < grey.length; i += 1, j += 4) {
      grey[i] = 0.299 * rgba[j] + 0.587 * rgba[j + 1] + 0.114 * rgba[j + 2];
    }
    return { grey: grey, width: width, height: height };
  }

  function measure(sample) {
    var g = sample.grey, w = sample.width, h = sample.height;
    var luma = 0, sharpness = 0, motion = 0, inner = 0;
    for (var i = 0; i < g.length; i += 1) { luma += g[i]; }
    for (var y = 1; y < h - 1; y += 1) {
      for (var x = 1; x < w - 1; x += 1) {
        var k = y * w + x;
        sharpness += Math.abs(4 * g[k] - g[k - 1] - g[k + 1] - g[k - w] - g[k + w]);
        inner += 1;
      }
    }
    if (previous && previous.length === g.length) {
      for (var m = 0; m < g.length; m += 1) { motion += Math.abs(g[m] - previous[m]); }
      motion /= g.length;
    } else {
      motion = Infinity;
    }
    previous = g;
    return { luma: luma / g.length, sharpness: sharpness / Math.max(1, inner), motion: motion };
  }

  // One word at a time, the most useful first: light, then stillness, then focus.
  function judge(m) {
    if (m.luma < MIN_LUMA) { return texts.dark; }
    if (m.luma > MAX_LUMA) { return texts.bright; }
    if (m.motion > MAX_MOTION) { return texts.frame; }
    best = Math.max(best, m.sharpness);
    if (m.sharpness < MIN_SHARPNESS || m.sharpness < SHARP_SHARE * best) { return texts.blurry; }
    return "";
  }

  function tick() {
    if (!video.videoWidth) { return; }
    var advice = judge(measure(greySample()));
    steady = advice ? 0 : steady + 1;
    say(advice || texts.steady);
    if (steady >= STEADY_SAMPLES) { takePhoto(); }
  }

  function takePhoto() {
    var canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    stopCamera();
    canvas.toBlob(function (blob) { useBlob(blob); }, "image/jpeg", 0.92);
  }

  function useBlob(blob) {
    var transfer = new DataTransfer();
    transfer.items.add(new File([blob], "document.jpg", { type: "image/jpeg" }));
    input.files = transfer.files;
    if (previewUrl) { URL.revokeObjectURL(previewUrl); }
    previewUrl = URL.createObjectURL(blob);
    preview.src = previewUrl;
    root.hidden = true;
    taken.hidden = false;
    fallback.hidden = false;
    document.getElementById("lf-doc-taken-text").textContent = texts.taken;
  }

  function start() {
    startButton.hidden = true;
    problem.hidden = true;
    fallback.hidden = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraRefused({ name: "Unsupported" });
      return;
    }
    navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: "environment", width: { ideal: 1920 }, height: { ideal: 1080 } }
    }).then(function (opened) {
      stream = opened;
      video.srcObject = stream;
      previous = null;
      best = 0;
      steady = 0;
      say(texts.frame);
      shutter.hidden = false;
      timer = window.setInterval(tick, SAMPLE_MS);
    }).catch(cameraRefused);
  }

  function retake() {
    input.value = "";
    taken.hidden = true;
    root.hidden = false;
    start();
  }

  // The file input stays in view until the camera opens: on a phone it opens the camera app too.
  guide.style.aspectRatio = field("aspect");
  root.hidden = false;
  startButton.addEventListener("click", start);
  shutter.addEventListener("click", function () { if (video.videoWidth) { takePhoto(); } });
  document.getElementById("lf-doc-retake").addEventListener("click", retake);
  document.getElementById("lf-doc-file").addEventListener("click", function () {
    stopCamera();
    root.hidden = true;
    fallback.hidden = false;
  });
}());
