/* Live progress of a generation job over server-sent events. */
(function () {
  "use strict";
  const root = document.getElementById("job");
  if (!root) return;
  const LABELS = { queued: "排队中", drafting: "起草中", repairing: "修改中", done: "已完成", failed: "失败" };
  const list = document.getElementById("job-sections");
  const bar = document.getElementById("bar");
  const errorBox = document.getElementById("job-error");
  const hint = document.getElementById("job-hint");

  function progress() {
    const items = list.querySelectorAll("li");
    let finished = 0;
    items.forEach(function (li) { if (li.dataset.state === "done" || li.dataset.state === "failed") finished += 1; });
    bar.style.width = (items.length ? (100 * finished) / items.length : 0) + "%";
  }

  const source = new EventSource(root.dataset.events);
  source.addEventListener("section", function (event) {
    const data = JSON.parse(event.data);
    const li = list.querySelector('li[data-section="' + CSS.escape(data.section) + '"]');
    if (!li) return;
    li.dataset.state = data.state;
    li.querySelector("[data-state-label]").textContent = LABELS[data.state] || data.state;
    li.querySelector("[data-detail]").textContent = data.detail || "";
    progress();
  });
  source.addEventListener("done", function (event) {
    source.close();
    root.dataset.state = "done";
    bar.style.width = "100%";
    hint.textContent = "已完成，正在打开审阅页面…";
    // Replaced, not added: Back on the review page returns to the form, not to this page.
    window.location.replace(JSON.parse(event.data).url);
  });
  source.addEventListener("failed", function (event) {
    source.close();
    root.dataset.state = "failed";
    errorBox.textContent = JSON.parse(event.data).message;
    errorBox.hidden = false;
  });
  source.onerror = function () {
    if (source.readyState === EventSource.CLOSED && root.dataset.state === "running") {
      hint.textContent = "与服务的连接已断开。请刷新页面查看进度。";
    }
  };
  progress();
})();
