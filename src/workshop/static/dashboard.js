// The cohort dashboard's live view: poll the service's JSON every few seconds and redraw in
// place (no page reload). Text only: everything a learner's report contains is set with
// textContent, never as HTML.
"use strict";

(function () {
  const body = document.body;
  const mode = body.dataset.mode;
  const prefix = body.dataset.prefix;
  const learner = body.dataset.learner;
  const pollMs = Number(body.dataset.pollMs) || 3000;
  const url = mode === "cohort" ? `${prefix}api/cohort` : `${prefix}api/learners/${encodeURIComponent(learner)}`;
  const MARKS = { done: "✅", "in progress": "◐", "not started": "·" };
  let paused = false;
  let previous = null;
  let timer = null;

  for (const section of document.querySelectorAll("[data-for]")) {
    section.hidden = section.dataset.for !== mode;
  }

  const $ = (id) => document.getElementById(id);
  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  function clockTime(iso) {
    return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
  }

  // The service sends only the cells with an attempt; every other one is "not started".
  function cellOf(row, exercise) {
    return (row || {})[exercise.id] ||
      { state: "not started", attempts: 0, passed: 0, total: exercise.total, last_at: null, failing: [] };
  }

  function cellText(cell) {
    if (cell.state === "done") return `${MARKS.done} (${cell.attempts})`;
    if (cell.state === "in progress") return `${MARKS["in progress"]} ${cell.passed}/${cell.total} (${cell.attempts})`;
    return MARKS["not started"];
  }
  function cellLabel(cell) {
    if (cell.state === "not started") return "not started";
    const tries = `${cell.attempts} attempt${cell.attempts === 1 ? "" : "s"}`;
    if (cell.state === "done") return `done, ${tries}`;
    return `in progress, ${cell.passed} of ${cell.total} checks pass, ${tries}`;
  }

  function renderGrid(exercises, rows, flagged) {
    const head = $("grid").tHead;
    const headRow = element("tr");
    headRow.append(element("th", mode === "cohort" ? "Learner" : "Exercise", null));
    headRow.firstChild.scope = "col";
    if (mode === "cohort") {
      for (const exercise of exercises) {
        const th = element("th", exercise.id);
        th.scope = "col";
        th.title = exercise.title;
        headRow.append(th);
      }
    } else {
      for (const label of ["Title", "Status", "Checks", "Attempts", "Last check"]) {
        const th = element("th", label);
        th.scope = "col";
        headRow.append(th);
      }
    }
    head.replaceChildren(headRow);

    const tbody = $("grid").tBodies[0];
    const trs = [];
    if (mode === "cohort") {
      for (const [name, row] of rows) {
        const tr = element("tr");
        const th = element("th", flagged.has(name) ? `⚠ ${name}` : name);
        th.scope = "row";
        if (flagged.has(name)) {
          th.classList.add("help");
          th.title = "needs help: see the list above";
        }
        tr.append(th);
        for (const exercise of exercises) {
          const cell = cellOf(row, exercise);
          const td = element("td", cellText(cell), cell.state.replace(" ", "-"));
          td.dataset.learner = name;
          td.dataset.exercise = exercise.id;
          td.setAttribute("aria-label", `${name}, ${exercise.id}: ${cellLabel(cell)}`);
          tr.append(td);
        }
        trs.push(tr);
      }
      $("grid-caption").textContent = `${rows.length} learners × ${exercises.length} exercises`;
    } else {
      const row = rows[0][1];
      for (const exercise of exercises) {
        const cell = cellOf(row, exercise);
        const tr = element("tr");
        const th = element("th", exercise.id);
        th.scope = "row";
        tr.append(th, element("td", exercise.title));
        const state = element("td", `${MARKS[cell.state]} ${cell.state}`, cell.state.replace(" ", "-"));
        state.dataset.exercise = exercise.id;
        tr.append(state, element("td", `${cell.passed}/${cell.total}`), element("td", String(cell.attempts)),
                  element("td", clockTime(cell.last_at)));
        trs.push(tr);
      }
      $("grid-caption").textContent = `Your ${exercises.length} exercises`;
    }
    tbody.replaceChildren(...trs);
  }

  function renderList(id, items, emptyText) {
    const list = $(id);
    if (!items.length) {
      list.replaceChildren(element("li", emptyText, "empty"));
      return;
    }
    list.replaceChildren(...items);
  }

  function renderCohort(data) {
    $("pace").textContent = data.pace.text;
    const flagged = new Set(data.help.map((flag) => flag.learner));
    renderList("help", data.help.map((flag) => element("li", `${flag.learner}: ${flag.reason}`)),
               "Nobody at the moment.");
    renderList("stuck", data.stuck.slice(0, 12).map((line) => {
      const li = element("li");
      li.append(element("span", `${line.failing} of ${line.of}`, "count"),
                document.createTextNode(` fail ${line.exercise}: ${line.expectation}`));
      li.dataset.exercise = line.exercise;
      return li;
    }), "No failing expectation right now.");
    renderGrid(data.exercises, data.learners.map((name) => [name, data.grid[name]]), flagged);
  }

  function renderLearner(data) {
    renderGrid(data.exercises, [[data.learner, data.row]], new Set());
    const items = [];
    for (const exercise of data.exercises) {
      for (const text of cellOf(data.row, exercise).failing) items.push(element("li", `${exercise.id}: ${text}`));
    }
    renderList("failing", items, "Nothing fails at the moment.");
  }

  // What changed since the last poll, in words, for the live region.
  function changes(before, after) {
    if (!before) return [];
    const said = [];
    const rowsBefore = mode === "cohort" ? before.grid : { [learner]: before.row };
    const rowsAfter = mode === "cohort" ? after.grid : { [learner]: after.row };
    for (const [name, row] of Object.entries(rowsAfter)) {
      for (const [id, cell] of Object.entries(row)) {
        const old = (rowsBefore[name] || {})[id] || { attempts: 0 };
        if (old.attempts !== cell.attempts) {
          said.push(`${name} ${cell.state === "done" ? "passed" : "checked"} ${id}: ${cell.passed} of ${cell.total}.`);
        }
      }
    }
    if (mode === "cohort") {
      const helpBefore = new Set(before.help.map((flag) => `${flag.learner}: ${flag.reason}`));
      for (const flag of after.help) {
        const text = `${flag.learner}: ${flag.reason}`;
        if (!helpBefore.has(text)) said.push(`Needs help: ${text}.`);
      }
    }
    return said.slice(0, 5);
  }

  async function refresh() {
    if (paused) return;
    try {
      const reply = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (reply.status === 401 || reply.status === 403) {
        const detail = (await reply.json().catch(() => ({}))).detail || "";
        showProblem(`Not allowed (${reply.status}). ${detail} Reload the page to sign in again.`);
        return;
      }
      if (!reply.ok) throw new Error(`the service answered ${reply.status}`);
      const data = await reply.json();
      if (mode === "cohort") renderCohort(data); else renderLearner(data);
      const said = changes(previous, data);
      if (said.length) $("announcer").textContent = said.join(" ");
      previous = data;
      $("problem").hidden = true;
      $("updated").textContent = `Updated ${clockTime(data.generated_at)}.`;
    } catch (error) {
      showProblem(`The dashboard cannot reach its service (${error.message}); it keeps trying.`);
    }
  }
  function showProblem(text) {
    $("problem").textContent = text;
    $("problem").hidden = false;
  }

  $("pause").addEventListener("click", () => {
    paused = !paused;
    $("pause").setAttribute("aria-pressed", String(paused));
    $("pause").textContent = paused ? "Resume live updates" : "Pause live updates";
    if (!paused) refresh();
  });

  refresh();
  timer = setInterval(refresh, pollMs);
  window.addEventListener("pagehide", () => clearInterval(timer));
})();
