// ngep validator page: plain JavaScript, no framework, no build step, no CDN.
// Talks to the JSON API of the same server: GET /api/models, POST /api/predict.
"use strict";

(function () {
  const state = { models: [], formats: [], limits: null, files: [], results: [] };
  const $ = (id) => document.getElementById(id);

  // ---- small helpers ------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined) continue;
      if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function fmt(value, digits) {
    if (value === null || value === undefined || value === "") return "";
    if (typeof value === "number") {
      if (Number.isInteger(value)) return String(value);
      return value.toFixed(digits === undefined ? 3 : digits);
    }
    return String(value);
  }

  function bytes(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(n % 1048576 ? 1 : 0) + " MiB";
    return Math.ceil(n / 1024) + " KiB";
  }

  function setStatus(text, isError) {
    const status = $("status");
    status.textContent = text;
    status.className = isError ? "error" : "";
  }

  // A binary classifier's positive class: the model's own, else "1", "True" or
  // the last class.
  function positiveClass(probabilities, model) {
    const classes = Object.keys(probabilities || {});
    if (classes.length === 0) return null;
    if (model && model.positive_class && classes.includes(model.positive_class)) {
      return model.positive_class;
    }
    for (const name of ["1", "True", "true"]) if (classes.includes(name)) return name;
    return classes[classes.length - 1];
  }

  // ---- a safe, small Markdown renderer for the model cards ----------------
  // Text is always inserted as text nodes, never as HTML.
  function inline(text) {
    const out = [];
    const pattern = /(\*\*[^*]+\*\*|`[^`]+`|\*[^*]+\*)/g;
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      if (match.index > last) out.push(text.slice(last, match.index));
      const token = match[0];
      if (token.startsWith("**")) out.push(el("strong", {}, token.slice(2, -2)));
      else if (token.startsWith("`")) out.push(el("code", {}, token.slice(1, -1)));
      else out.push(el("em", {}, token.slice(1, -1)));
      last = match.index + token.length;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  }

  function splitRow(line) {
    return line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
  }

  function markdown(text) {
    const root = el("div", { class: "card" });
    const lines = String(text || "").split(/\r?\n/);
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      const heading = /^(#{1,6})\s+(.*)$/.exec(line);
      if (!line.trim()) { i += 1; continue; }
      if (heading) {
        // the card's own headings sit below the panel's h2
        const level = Math.min(6, heading[1].length + 2);
        root.append(el("h" + level, {}, inline(heading[2])));
        i += 1;
      } else if (/^\s*\|/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-+/.test(lines[i + 1])) {
        const table = el("table", {});
        const head = el("tr", {}, splitRow(line).map((c) => el("th", { scope: "col" }, inline(c))));
        table.append(el("thead", {}, head));
        const body = el("tbody", {});
        i += 2;
        while (i < lines.length && /^\s*\|/.test(lines[i])) {
          body.append(el("tr", {}, splitRow(lines[i]).map((c) => el("td", {}, inline(c)))));
          i += 1;
        }
        table.append(body);
        root.append(el("div", { class: "table-wrap" }, table));
      } else if (/^\s*[-*]\s+/.test(line)) {
        const list = el("ul", {});
        while (i < lines.length && /^\s*[-*]\s+/.test(lines[i])) {
          list.append(el("li", {}, inline(lines[i].replace(/^\s*[-*]\s+/, ""))));
          i += 1;
        }
        root.append(list);
      } else {
        const para = [];
        while (i < lines.length && lines[i].trim() && !/^(#|\s*[-*]\s|\s*\|)/.test(lines[i])) {
          para.push(lines[i].trim());
          i += 1;
        }
        root.append(el("p", {}, inline(para.join(" "))));
      }
    }
    return root;
  }

  // ---- models panel -------------------------------------------------------
  async function loadModels() {
    let data;
    try {
      const response = await fetch("/api/models");
      if (!response.ok) throw new Error("HTTP " + response.status);
      data = await response.json();
    } catch (err) {
      $("models").replaceChildren(el("p", { class: "error" }, "Could not load the models: " + err.message));
      return;
    }
    state.models = data.models;
    state.formats = data.formats;
    state.limits = data.limits;
    $("formats").textContent = data.formats.join(", ");
    $("files").setAttribute("accept", data.formats.concat([".gz"]).join(","));
    $("limits").textContent =
      "Up to " + bytes(data.limits.max_file_bytes) + " per file and " +
      data.limits.max_files + " files per upload.";
    const panel = $("models");
    panel.replaceChildren();
    data.models.forEach((model, index) => {
      const details = el("details", { id: "model-" + index }, el("summary", {}, model.name + " (" + model.task + ")"));
      if (index === 0) details.open = true;
      details.append(markdown(model.card));
      panel.append(details);
    });
  }

  // ---- choosing files -----------------------------------------------------
  function accepted(name) {
    const lower = name.toLowerCase();
    return state.formats.length === 0 || state.formats.some((s) => lower.endsWith(s));
  }

  function choose(fileList) {
    state.files = Array.from(fileList);
    const n = state.files.length;
    $("predict").disabled = n === 0;
    setStatus(n === 0 ? "" : n + " file" + (n === 1 ? "" : "s") + " chosen; press Predict.");
  }

  function setupDrop() {
    const zone = $("dropzone");
    ["dragenter", "dragover"].forEach((type) =>
      zone.addEventListener(type, (event) => {
        event.preventDefault();
        zone.classList.add("over");
      }));
    ["dragleave", "drop"].forEach((type) =>
      zone.addEventListener(type, () => zone.classList.remove("over")));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        choose(event.dataTransfer.files);
        predict();
      }
    });
    $("files").addEventListener("change", (event) => choose(event.target.files));
  }

  // ---- predicting ---------------------------------------------------------
  // Files are sent in batches that respect the server's limits; a file over the
  // per-file limit is reported here and not sent.
  function batches(files) {
    const limits = state.limits || { max_file_bytes: Infinity, max_request_bytes: Infinity, max_files: 50 };
    const out = [];
    let batch = [];
    let size = 0;
    const budget = limits.max_request_bytes * 0.9;
    const perBatch = Math.min(limits.max_files, 20);
    for (const file of files) {
      if (batch.length && (batch.length >= perBatch || size + file.size > budget)) {
        out.push(batch);
        batch = [];
        size = 0;
      }
      batch.push(file);
      size += file.size;
    }
    if (batch.length) out.push(batch);
    return out;
  }

  async function send(batch) {
    const form = new FormData();
    batch.forEach((file) => form.append("files", file, file.name));
    const response = await fetch("/api/predict?picture=1", { method: "POST", body: form });
    let body = null;
    try { body = await response.json(); } catch (err) { body = null; }
    if (!response.ok) {
      const why = body && body.error ? body.error : "HTTP " + response.status;
      return batch.map((file) => ({ file: file.name, status: "error", error: why }));
    }
    return body.results;
  }

  async function predict() {
    const files = state.files;
    if (!files.length) return;
    $("predict").disabled = true;
    const limit = state.limits ? state.limits.max_file_bytes : Infinity;
    const todo = [];
    for (const file of files) {
      if (file.size > limit) {
        addResult({ file: file.name, status: "error", error: file.name + ": " + bytes(file.size) + " is over the limit of " + bytes(limit) + " per file" });
      } else if (!accepted(file.name)) {
        addResult({ file: file.name, status: "error", error: file.name + ": unsupported file type; upload " + state.formats.join(", ") + " files" });
      } else {
        todo.push(file);
      }
    }
    let done = 0;
    for (const batch of batches(todo)) {
      setStatus("Predicting… " + done + " of " + todo.length + " files done.");
      let results;
      try {
        results = await send(batch);
      } catch (err) {
        results = batch.map((file) => ({ file: file.name, status: "error", error: "no answer from the server (" + err.message + ")" }));
      }
      results.forEach(addResult);
      done += batch.length;
    }
    const failed = state.results.filter((r) => r.status !== "ok").length;
    setStatus("Done: " + state.results.length + " file(s), " + failed + " with errors.", failed > 0);
    $("predict").disabled = state.files.length === 0;
  }

  // ---- showing results ----------------------------------------------------
  function addResult(result) {
    state.results.push(result);
    $("results-panel").hidden = false;
    $("clear").disabled = false;
    renderSummary();
    if (result.status === "ok") $("neurons").append(neuronCard(result, state.results.length - 1));
  }

  function modelNamed(name) {
    return state.models.find((m) => m.name === name) || null;
  }

  // "Pvalb+" for a marker model's positive class, else the class itself
  function classLabel(model, cls) {
    if (model && model.marker && cls === model.positive_class) return model.marker + "+";
    return cls;
  }

  function summaryCell(prediction, model) {
    if (!prediction) return el("td", {}, "");
    const ood = prediction.out_of_domain === true;
    let text;
    if (prediction.probabilities) {
      const cls = positiveClass(prediction.probabilities, model);
      text = fmt(prediction.probabilities[cls], 2);
    } else {
      text = fmt(prediction.prediction, 2);
      if (prediction.interval) text += " [" + fmt(prediction.interval.lower, 2) + ", " + fmt(prediction.interval.upper, 2) + "]";
    }
    const attrs = { class: "num" + (ood ? " ood" : "") };
    if (ood) attrs.title = "outside the training domain: " + (prediction.out_of_domain_reason || "");
    return el("td", attrs, text + (ood ? " \u26a0" : ""));
  }

  function renderSummary() {
    const head = el("tr", {}, el("th", { scope: "col" }, "File"),
      state.models.map((m) => el("th", { scope: "col" }, m.name,
        m.task === "classification" && m.positive_class
          ? [el("br", {}), el("span", { class: "hint" }, "P(" + classLabel(m, m.positive_class) + ")")]
          : null)));
    $("summary").tHead.replaceChildren(head);
    const body = $("summary").tBodies[0];
    body.replaceChildren();
    state.results.forEach((result, index) => {
      const name = result.status === "ok"
        ? el("a", { href: "#neuron-" + index }, result.file)
        : result.file;
      const row = el("tr", {}, el("th", { scope: "row" }, name));
      if (result.status === "ok") {
        state.models.forEach((m) => row.append(summaryCell(result.predictions[m.name], m)));
      } else {
        row.append(el("td", { class: "error", colspan: String(state.models.length) }, result.error));
      }
      body.append(row);
    });
  }

  function predictionItem(name, prediction) {
    const model = modelNamed(name);
    const item = el("li", {}, el("strong", {}, name + ": "));
    if (prediction.probabilities) {
      const cls = positiveClass(prediction.probabilities, model);
      const p = prediction.probabilities[cls];
      const label = "P(" + classLabel(model, cls) + ")";
      const bar = el("span", { class: "bar", role: "img", "aria-label": label + " " + fmt(p, 2) },
        el("span", {}));
      bar.firstChild.style.width = Math.round(100 * p) + "%";
      item.append(label + " = " + fmt(p, 2) + " ", bar);
      const others = Object.entries(prediction.probabilities).filter(([c]) => c !== cls);
      if (others.length > 1) {
        item.append(" (" + others.map(([c, v]) => "P(" + c + ") = " + fmt(v, 2)).join(", ") + ")");
      }
    } else {
      item.append("predicted " + fmt(prediction.prediction));
      if (prediction.interval) {
        item.append(", " + Math.round(100 * prediction.interval.coverage) + "% interval [" +
          fmt(prediction.interval.lower) + ", " + fmt(prediction.interval.upper) + "]");
      }
    }
    if (prediction.used_axon === true) {
      item.append(" ", el("span", { class: "flag ok" }, "used the traced axon"));
    } else if (prediction.used_axon === false) {
      item.append(" ", el("span", { class: "flag ok" }, "dendrites only"));
    }
    if (prediction.out_of_domain === true) {
      item.append(" ", el("span", { class: "flag ood" }, "\u26a0 out of domain: " + (prediction.out_of_domain_reason || "unlike the training neurons")));
    } else if (prediction.out_of_domain === false) {
      item.append(" ", el("span", { class: "flag ok" }, "in domain"));
    }
    return item;
  }

  function neuronCard(result, index) {
    const card = el("article", { class: "neuron", id: "neuron-" + index, "aria-labelledby": "neuron-title-" + index });
    card.append(el("h3", { id: "neuron-title-" + index }, result.file));
    if (result.picture) {
      card.append(el("img", { src: result.picture, alt: "Top view (x-y) of " + result.file + ", coloured by compartment", class: "picture" }));
    } else {
      card.append(el("div", {}));
    }
    const info = el("div", {});
    info.append(el("ul", { class: "predictions" },
      Object.entries(result.predictions).map(([name, p]) => predictionItem(name, p))));
    if (result.notes && result.notes.length) {
      info.append(el("p", { class: "hint" }, "Note: " + result.notes.join("; ")));
    }
    const rows = Object.entries(result.measurements || {}).map(([name, value]) =>
      el("tr", {}, el("th", { scope: "row" }, name), el("td", { class: "num" }, fmt(value, 2))));
    info.append(el("table", { class: "measurements" },
      el("caption", {}, "Base measurements (" + result.n_nodes + " nodes)"),
      el("tbody", {}, rows)));
    card.append(info);
    return card;
  }

  // ---- CSV ----------------------------------------------------------------
  function csvCell(value) {
    if (value === null || value === undefined) return "";
    const text = String(value);
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function toCsv() {
    const columns = ["file", "status", "error"];
    const getters = [(r) => r.file, (r) => r.status, (r) => r.error || ""];
    for (const model of state.models) {
      const sample = state.results.find((r) => r.status === "ok" && r.predictions[model.name]);
      const p = sample ? sample.predictions[model.name] : {};
      const get = (r) => (r.status === "ok" ? r.predictions[model.name] || {} : {});
      columns.push(model.name + ":prediction");
      getters.push((r) => get(r).prediction);
      for (const cls of Object.keys(p.probabilities || {})) {
        columns.push(model.name + ":proba_" + cls);
        getters.push((r) => (get(r).probabilities || {})[cls]);
      }
      if (p.interval) {
        columns.push(model.name + ":lower", model.name + ":upper");
        getters.push((r) => (get(r).interval || {}).lower, (r) => (get(r).interval || {}).upper);
      }
      if ("used_axon" in p) {
        columns.push(model.name + ":used_axon");
        getters.push((r) => get(r).used_axon);
      }
      if ("out_of_domain" in p) {
        columns.push(model.name + ":out_of_domain", model.name + ":out_of_domain_reason");
        getters.push((r) => get(r).out_of_domain, (r) => get(r).out_of_domain_reason);
      }
    }
    const sample = state.results.find((r) => r.status === "ok");
    for (const name of Object.keys((sample && sample.measurements) || {})) {
      columns.push(name);
      getters.push((r) => (r.measurements || {})[name]);
    }
    const lines = [columns.map(csvCell).join(",")];
    for (const result of state.results) lines.push(getters.map((g) => csvCell(g(result))).join(","));
    return lines.join("\r\n") + "\r\n";
  }

  function download() {
    const blob = new Blob([toCsv()], { type: "text/csv" });
    const link = el("a", { href: URL.createObjectURL(blob), download: "ngep-predictions.csv" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  function clear() {
    state.results = [];
    $("neurons").replaceChildren();
    $("summary").tBodies[0].replaceChildren();
    $("results-panel").hidden = true;
    $("clear").disabled = true;
    setStatus("");
  }

  document.addEventListener("DOMContentLoaded", () => {
    setupDrop();
    $("predict").addEventListener("click", predict);
    $("clear").addEventListener("click", clear);
    $("download").addEventListener("click", download);
    loadModels();
  });
})();
