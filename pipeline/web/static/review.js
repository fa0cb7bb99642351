/* The review page: edit sections in place, save and re-check at once, jump to findings. */
(function () {
  "use strict";
  const root = document.getElementById("review");
  if (!root) return;
  const D = window.Draftsmith;
  const draftId = root.dataset.draft;
  const state = document.getElementById("save-state");
  const tab = D.tabId();
  let revision = parseInt(root.dataset.revision, 10);
  let latest = null;              // the last fragments the server sent
  const dirty = new Set();        // sections edited but not yet saved
  const timers = {};
  let chain = Promise.resolve();  // saves run one after another, in order

  // Unsaved section text is also kept in localStorage: a reload or a crash loses nothing.
  const localKey = "draftsmith-draft:" + draftId;
  function localCopy() {
    try { return JSON.parse(localStorage.getItem(localKey) || "{}") || {}; } catch (e) { return {}; }
  }
  function keepLocally(id, text) {
    const copy = localCopy();
    if (text === null) delete copy[id]; else copy[id] = text;
    try {
      if (Object.keys(copy).length) localStorage.setItem(localKey, JSON.stringify(copy));
      else localStorage.removeItem(localKey);
    } catch (e) { /* storage disabled: the server copy still follows */ }
  }

  function setState(kind, text) {
    state.dataset.state = kind;
    state.textContent = text;
  }

  function bodyOf(id) { return root.querySelector('[data-edit="' + CSS.escape(id) + '"]'); }

  function textOf(el) {
    return el.innerText.split("\n").map(function (l) { return l.trim(); }).filter(Boolean).join("\n");
  }

  function apply(result, keep) {
    latest = result;
    revision = result.revision;
    document.getElementById("summary").innerHTML = result.summary;
    document.getElementById("panel").innerHTML = result.panel;
    document.getElementById("doc-title").innerHTML = result.title;
    Object.keys(result.sections).forEach(function (id) {
      const part = result.sections[id];
      const heading = root.querySelector('[data-heading="' + CSS.escape(id) + '"]');
      if (heading) heading.innerHTML = part.heading;
      const body = bodyOf(id);
      if (body && body !== keep && !dirty.has(id)) body.innerHTML = part.body;
    });
    document.getElementById("revision-count").textContent = String(result.revision);
    if (result.conflict) {
      // another tab saved meanwhile: both edits are kept, unless it changed this same section
      const banner = document.getElementById("conflict-banner");
      banner.textContent = result.replaced
        ? "另一个窗口同时修改了同一节：本窗口的文字已保存为当前版本，另一个窗口的文字保留在修订记录的“修订 " +
          result.replaced + "”中，可从那里恢复。"
        : "另一个窗口同时修改了这份草稿的其他部分；两边的修改都已保存，请核对后继续。";
      banner.hidden = false;
    }
    if (result.filled && result.filled.length) {
      const box = document.getElementById("filled-banner");
      box.textContent = "已把你在正文中补填的事实写回事实表单：" + result.filled.join("；") + "。";
      box.hidden = false;
    }
  }

  function save(id, options) {
    clearTimeout(timers[id]);
    chain = chain.then(function () {
      if (!dirty.has(id)) return;
      const el = bodyOf(id);
      const sent = textOf(el);
      dirty.delete(id);
      setState("saving", "正在保存并检查…");
      return D.post("/drafts/" + draftId + "/sections/" + encodeURIComponent(id),
                    { text: sent, base: revision, tab: tab }, options)
        .then(function (result) {
          if (!dirty.has(id) && textOf(el) === sent) keepLocally(id, null);
          apply(result, document.activeElement === el ? el : null);
          setState("saved", "已保存并检查 · 修订 " + result.revision + " · " + D.clock());
          document.getElementById("edit-error").hidden = true;
        })
        .catch(function (error) {
          dirty.add(id);
          const box = document.getElementById("edit-error");
          box.hidden = false;
          if (error.status === 403) {
            setState("error", D.EXPIRED);
            box.textContent = D.EXPIRED;
            return;
          }
          setState("error", "保存失败：" + error.message);
          if (error.status === 400) {  // refused as it is: trying again would not help
            box.textContent = "保存失败：" + error.message + "。你的修改仍在页面上，改好后会再保存。";
            return;
          }
          box.textContent = "保存失败：" + error.message + "。你的修改仍在页面上，稍后会自动重试。";
          timers[id] = setTimeout(function () { save(id); }, 3000);
        });
    });
    return chain;
  }

  root.querySelectorAll("[data-edit]").forEach(function (el) {
    const id = el.dataset.edit;
    el.addEventListener("input", function () {
      keepLocally(id, textOf(el));
      dirty.add(id);
      setState("dirty", "有未保存的修改…");
      clearTimeout(timers[id]);
      timers[id] = setTimeout(function () { save(id); }, 700);
    });
    el.addEventListener("blur", function () {
      const pending = dirty.has(id) ? save(id) : chain;
      pending.then(function () {
        if (document.activeElement !== el && !dirty.has(id) && latest && latest.sections[id]) {
          el.innerHTML = latest.sections[id].body;
        }
      });
    });
    el.addEventListener("paste", function (event) {
      event.preventDefault();
      const text = (event.clipboardData || window.clipboardData).getData("text/plain");
      document.execCommand("insertText", false, text);
    });
  });

  // Pointing at an item in the panel shows where it is in the text.
  const panel = document.getElementById("panel");
  panel.addEventListener("mouseover", function (event) {
    const item = event.target.closest("[data-ann-item]");
    root.querySelectorAll("mark.hover").forEach(function (m) { m.classList.remove("hover"); });
    if (item) marks(item.dataset.annItem).forEach(function (m) { m.classList.add("hover"); });
  });
  panel.addEventListener("mouseleave", function () {
    root.querySelectorAll("mark.hover").forEach(function (m) { m.classList.remove("hover"); });
  });

  document.getElementById("recheck").addEventListener("click", function () {
    Array.from(dirty).forEach(function (id) { save(id); });
    chain = chain.then(function () {
      setState("saving", "正在检查…");
      return D.post("/drafts/" + draftId + "/recheck", {}).then(function (result) {
        apply(result, null);
        setState("saved", "已检查 · 修订 " + result.revision + " · " + D.clock());
      });
    }).catch(function (error) { setState("error", "检查失败：" + error.message); });
  });

  function marks(id) {
    return root.querySelectorAll("mark[data-ann~='" + id + "']");
  }

  document.getElementById("panel").addEventListener("click", function (event) {
    const link = event.target.closest("[data-jump]");
    if (!link) return;
    const id = link.dataset.jump;
    const first = document.getElementById(id) || marks(id)[0];
    if (!first) return;  // nothing to highlight: the link goes to its section
    event.preventDefault();
    first.scrollIntoView({ behavior: "smooth", block: "center" });
    marks(id).forEach(function (m) {
      m.classList.remove("flash");
      void m.offsetWidth;
      m.classList.add("flash");
    });
    history.replaceState(null, "", "#" + id);
  });

  // A download is the saved revision: text typed a moment ago (its save still waiting for the
  // pause, or under way) is saved first, so the file holds what the page shows.
  document.querySelectorAll("a[download]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (link.dataset.ready === "1") { delete link.dataset.ready; return; }
      event.preventDefault();
      Array.from(dirty).forEach(function (id) { save(id); });
      chain.then(function () {
        if (dirty.size) return;  // the save failed: the error box says so, nothing stale goes out
        link.dataset.ready = "1";
        link.click();
      });
    });
  });

  function flushAll() {
    Array.from(dirty).forEach(function (id) { save(id, { keepalive: true }); });
  }
  window.addEventListener("pagehide", flushAll);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flushAll();
  });

  // Text typed before a reload or crash that the server never received: put it back and save it.
  const kept = localCopy();
  let restored = false;
  Object.keys(kept).forEach(function (id) {
    const el = bodyOf(id);
    if (!el || typeof kept[id] !== "string") return;
    if (textOf(el) === kept[id]) { keepLocally(id, null); return; }
    el.replaceChildren();
    kept[id].split("\n").forEach(function (line) {
      const p = document.createElement("p");
      p.textContent = line;
      el.appendChild(p);
    });
    dirty.add(id);
    restored = true;
    save(id);
  });
  if (restored) document.getElementById("restored-banner").hidden = false;

  window.DraftsmithReview = { isDirty: function () { return dirty.size > 0; }, settled: function () { return chain; } };
})();
