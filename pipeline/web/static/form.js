/* The facts form: autosave as you type, add and remove list rows, errors beside each field. */
(function () {
  "use strict";
  const form = document.getElementById("facts-form");
  if (!form) return;
  const D = window.Draftsmith;
  const state = document.getElementById("save-state");
  const conflictBanner = document.getElementById("conflict-banner");
  const touched = new Set();
  let timer = null;
  let dirty = false;
  let inflight = null;

  form.elements.tab.value = D.tabId();
  // A copy of unsaved input in localStorage: a reload, a closed tab or a crash loses nothing.
  const localKey = "draftsmith-facts:" + form.getAttribute("action");

  function setState(kind, text) {
    state.dataset.state = kind;
    state.textContent = text;
  }

  function payload() {
    const data = new FormData(form);
    data.delete("action");
    return data;
  }

  function snapshot() {
    const fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name.startsWith("fact.")) fields.push([name, String(value)]);
    });
    return JSON.stringify(fields);
  }

  function keepLocally() {
    try {
      localStorage.setItem(localKey, JSON.stringify({ at: Date.now(), fields: snapshot() }));
    } catch (e) { /* storage full or disabled: the server copy still follows */ }
  }

  function forgetLocally(sent) {
    if (!dirty && snapshot() === sent) localStorage.removeItem(localKey);
  }

  // The content of a snapshot without row numbers and blank inputs (the server drops both).
  function content(fieldsJson) {
    return JSON.stringify(JSON.parse(fieldsJson)
      .filter(function (pair) { return pair[1].trim() !== ""; })
      .map(function (pair) { return [pair[0].replace(/\.\d+(?=\.|$)/, ".#"), pair[1].trim()]; }));
  }

  function restoreLocal() {
    let kept = null;
    try { kept = JSON.parse(localStorage.getItem(localKey) || "null"); } catch (e) { kept = null; }
    if (!kept || typeof kept.fields !== "string") return false;
    if (content(kept.fields) === content(snapshot())) { localStorage.removeItem(localKey); return false; }
    const fields = JSON.parse(kept.fields);
    form.querySelectorAll("[data-fact]").forEach(function (block) {
      const rows = block.querySelector("ol.rows");
      if (!rows) return;
      const prefix = "fact." + block.dataset.fact + ".";
      const indices = [];
      fields.forEach(function (pair) {
        if (!pair[0].startsWith(prefix)) return;
        const index = pair[0].slice(prefix.length).split(".")[0];
        if (/^\d+$/.test(index) && indices.indexOf(index) < 0) indices.push(index);
      });
      if (!indices.length) return;
      const template = block.querySelector("template.row-template").innerHTML;
      rows.replaceChildren();
      indices.forEach(function (i) { rows.insertAdjacentHTML("beforeend", template.split("__i__").join(i)); });
    });
    fields.forEach(function (pair) {
      const field = form.elements.namedItem(pair[0]);
      if (field && "value" in field) field.value = pair[1];
    });
    return true;
  }

  function schedule() {
    dirty = true;
    setState("dirty", "有未保存的修改…");
    clearTimeout(timer);
    timer = setTimeout(save, 600);
  }

  async function save() {
    clearTimeout(timer);
    timer = null;
    while (inflight) await inflight;
    if (!dirty) return;
    dirty = false;
    setState("saving", "正在保存…");
    const sent = snapshot();
    inflight = D.post(form.dataset.autosave, payload())
      .then(function (result) { apply(result); forgetLocally(sent); })
      .catch(function (error) {
        dirty = true;
        if (error.status === 403) {
          setState("error", D.EXPIRED);
          return;
        }
        setState("error", "保存失败：" + error.message + "（3 秒后重试）");
        timer = setTimeout(save, 3000);
      })
      .finally(function () { inflight = null; });
    return inflight;
  }

  function showError(name, message) {
    const slot = form.querySelector('[data-error-for="' + CSS.escape(name) + '"]');
    if (!slot) return;
    const field = document.getElementById(name);
    const block = slot.closest(".fact");
    if (message) {
      slot.textContent = message;
      slot.hidden = false;
      if (field) field.setAttribute("aria-invalid", "true");
    } else {
      slot.textContent = "";
      slot.hidden = true;
      if (field) field.removeAttribute("aria-invalid");
    }
    if (block) block.classList.toggle("has-error", Boolean(block.querySelector(".field-error:not([hidden])")));
  }

  function apply(result) {
    form.elements.base.value = result.version;
    setState("saved", "已自动保存 · 第 " + result.version + " 版 · " + D.clock());
    if (result.conflict) conflictBanner.hidden = false;
    form.querySelectorAll("[data-error-for]").forEach(function (slot) {
      const name = slot.dataset.errorFor;
      const message = result.errors[name];
      if (!message) showError(name, "");
      else if (touched.has(name) || !slot.hidden) showError(name, message);
    });
    document.getElementById("filled").textContent = result.filled;
    const list = document.getElementById("missing");
    list.replaceChildren();
    result.missing.forEach(function (label) {
      const li = document.createElement("li");
      li.textContent = label;
      list.appendChild(li);
    });
    document.getElementById("missing-box").hidden = result.missing.length === 0;
  }

  function touch(target) {
    if (!target.name || !target.name.startsWith("fact.")) return;
    touched.add(target.name);
    const fact = target.closest("[data-fact]");
    if (fact) touched.add("fact." + fact.dataset.fact);
  }

  function edited(event) {
    touch(event.target);
    keepLocally();
    schedule();
  }
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);

  // Enter in a one-line input saves instead of pressing the first button of the form.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.tagName === "INPUT") {
      event.preventDefault();
      save();
    }
  });

  form.addEventListener("click", function (event) {
    const add = event.target.closest("button.add");
    const remove = event.target.closest("button.remove");
    if (add) {
      event.preventDefault();
      const block = add.closest("[data-fact]");
      const rows = block.querySelector("ol.rows");
      const template = block.querySelector("template.row-template");
      let next = 0;
      rows.querySelectorAll(":scope > li.row").forEach(function (li) {
        const n = parseInt(li.dataset.row, 10);
        if (!Number.isNaN(n) && n >= next) next = n + 1;
      });
      rows.insertAdjacentHTML("beforeend", template.innerHTML.split("__i__").join(String(next)));
      const first = rows.lastElementChild.querySelector("input, textarea, select");
      if (first) first.focus();
      keepLocally();
      schedule();
    } else if (remove) {
      event.preventDefault();
      const row = remove.closest("li.row");
      const rows = row.parentElement;
      if (rows.children.length > 1) row.remove();
      else row.querySelectorAll("input, textarea, select").forEach(function (f) { f.value = ""; });
      touch(remove.closest("[data-fact]").querySelector("[name]") || remove);
      keepLocally();
      schedule();
    }
  });

  form.addEventListener("submit", function () {
    clearTimeout(timer);
    dirty = false;
  });

  // Leaving the page (reload, close, navigate) sends what is not yet saved.
  function flush() {
    if (!dirty) return;
    dirty = false;
    clearTimeout(timer);
    D.post(form.dataset.autosave, payload(), { keepalive: true }).catch(function () {});
  }
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });

  // Input typed before this script ran (a fast typist, a slow machine) is saved too.
  const typedEarly = Array.prototype.some.call(form.elements, function (el) {
    if (!el.name || !el.name.startsWith("fact.")) return false;
    if (el.tagName === "SELECT") {
      return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return "defaultValue" in el && el.value !== el.defaultValue;
  });

  if (restoreLocal()) {
    const banner = document.getElementById("restored-banner");
    if (banner) banner.hidden = false;
    dirty = true;
    save();
  } else if (typedEarly) {
    keepLocally();
    schedule();
  }

  window.DraftsmithForm = { save: save, isDirty: function () { return dirty || Boolean(inflight); } };
})();
