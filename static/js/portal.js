/* Small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  /* The language switch submits on change. */
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });

  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function () { window.print(); });
  });

  /* Drill-down rows: a click anywhere on the row follows its link. */
  document.querySelectorAll("tr[data-href]").forEach(function (row) {
    row.addEventListener("click", function (ev) {
      if (ev.target.closest("a")) { return; }
      window.location.href = row.getAttribute("data-href");
    });
  });

  /* Countdowns: the server wrote the remaining time; tick it every 30 s. */
  var phrases = {};
  var phraseNode = document.getElementById("clock-strings");
  if (phraseNode) { phrases = JSON.parse(phraseNode.textContent); }
  function fill(template, values) {
    return String(template || "").replace(/%\((\w+)\)[ds]/g, function (_, key) { return values[key]; });
  }
  function fmt(seconds) {
    var s = Math.abs(seconds), d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    var t = d ? fill(phrases.dh, { d: d, h: h }) : h ? fill(phrases.hm, { h: h, m: m }) : fill(phrases.m, { m: m });
    return fill(seconds >= 0 ? phrases.left : phrases.overdue, { time: t });
  }
  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var deadline = Date.parse(el.getAttribute("data-deadline"));
      if (isNaN(deadline)) { return; }
      var target = el.querySelector("[data-remaining]") || el;
      target.textContent = fmt(Math.round((deadline - Date.now()) / 1000));
    });
  }
  if (phraseNode && document.querySelector("[data-deadline]")) { window.setInterval(tick, 30000); }

  /* The map picker: a click sets lat/lng by inverting the server's projection. */
  document.querySelectorAll("[data-map]").forEach(function (box) {
    var svg = box.querySelector("svg");
    var marker = box.querySelector(".map-marker");
    var form = box.closest("form");
    var latInput = form.querySelector("input[name=lat]");
    var lngInput = form.querySelector("input[name=lng]");
    var coords = box.querySelector("[data-coords]");
    var clear = box.querySelector("[data-clear-point]");
    var geoError = box.querySelector("[data-geo-error]");
    var minLng = parseFloat(box.dataset.minLng), maxLat = parseFloat(box.dataset.maxLat);
    var scale = parseFloat(box.dataset.scale), coslat = parseFloat(box.dataset.coslat);

    var zoom = box.querySelector("[data-map-zoom]");
        function markerSize() {
      marker.setAttribute("r", (svg.viewBox.baseVal.width / 90).toFixed(2));
    }
    if (zoom) {
      zoom.addEventListener("change", function () {
        svg.setAttribute("viewBox", zoom.value);
        markerSize();
        // Zooming to a community also chooses it, when the form asks for one and none is chosen yet.
        var code = zoom.options[zoom.selectedIndex].getAttribute("data-code");
        var community = form.querySelector("select[name=community]");
        if (code && community && !community.value && community.querySelector('option[value="' + code + '"]')) {
          community.value = code;
        }
      });
    }
    markerSize();
    function show(lat, lng) {
      latInput.value = lat.toFixed(6);
      lngInput.value = lng.toFixed(6);
      marker.setAttribute("cx", ((lng - minLng) * coslat * scale).toFixed(1));
      marker.setAttribute("cy", ((maxLat - lat) * scale).toFixed(1));
      marker.removeAttribute("hidden");
      coords.textContent = lat.toFixed(5) + ", " + lng.toFixed(5);
      clear.hidden = false;
    }
    if (latInput.value && lngInput.value) { show(parseFloat(latInput.value), parseFloat(lngInput.value)); }

    svg.addEventListener("click", function (ev) {
      var pt = svg.createSVGPoint();
      pt.x = ev.clientX; pt.y = ev.clientY;
      var p = pt.matrixTransform(svg.getScreenCTM().inverse());
      show(maxLat - p.y / scale, minLng + p.x / (coslat * scale));
    });
    clear.addEventListener("click", function () {
      latInput.value = ""; lngInput.value = "";
      marker.setAttribute("hidden", ""); coords.textContent = ""; clear.hidden = true;
    });
    var geo = box.querySelector("[data-geolocate]");
    if (!("geolocation" in navigator)) { geo.hidden = true; return; }
    geo.addEventListener("click", function () {
      geoError.hidden = true;
      navigator.geolocation.getCurrentPosition(
        function (pos) { show(pos.coords.latitude, pos.coords.longitude); },
        function () { geoError.hidden = false; },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
      );
    });
  });

  /* Desk: Ctrl+Enter submits from a text area too (Enter already submits from the inputs). */
  document.querySelectorAll("form textarea").forEach(function (area) {
    area.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); area.form.requestSubmit(); }
    });
  });
})();
