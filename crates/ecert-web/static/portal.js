// ecert portal: small enhancements over pages that work without JavaScript.
// Dialogs open in place, the real-name page moves on by itself once the app approves,
// and a download page fetches the file as soon as it is ready.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  openDialogsInPlace();
  followRealName();
  followDownload();
});

function openDialogsInPlace() {
  for (const link of document.querySelectorAll("a[data-dialog]")) {
    const dialog = document.getElementById(link.dataset.dialog);
    if (!dialog || typeof dialog.showModal !== "function") continue;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      dialog.showModal();
    });
    for (const close of dialog.querySelectorAll("[data-close]")) {
      close.addEventListener("click", (event) => {
        event.preventDefault();
        dialog.close();
      });
    }
  }
  // A dialog the server opened (no-script path) becomes modal too.
  for (const dialog of document.querySelectorAll("dialog[open]")) {
    dialog.close();
    dialog.showModal();
  }
  // One submission per form: a double click sends one request.
  for (const form of document.querySelectorAll("form")) {
    form.addEventListener("submit", () => {
      for (const button of form.querySelectorAll("button[type=submit]")) {
        setTimeout(() => { button.disabled = true; }, 0);
      }
    });
  }
}

function followRealName() {
  const panel = document.getElementById("realname");
  if (!panel) return;
  const status = document.getElementById("realname-state");
  const form = document.getElementById("realname-complete");
  const poll = async () => {
    try {
      const answer = await fetch("/user/realname/state", { credentials: "same-origin" });
      if (!answer.ok) throw new Error(String(answer.status));
      const { state } = await answer.json();
      if (state === "approved") {
        status.textContent = "认证通过，正在进入…";
        form.submit();
        return;
      }
      if (state === "authenticated") {
        window.location.assign(panel.dataset.next);
        return;
      }
      if (state === "expired" || state === "used") {
        status.textContent = "二维码已失效，请点击 [刷新二维码]。";
        return;
      }
    } catch (error) {
      status.textContent = "网络不稳定，正在重试…";
    }
    setTimeout(poll, 1500);
  };
  setTimeout(poll, 1500);
}

function followDownload() {
  const job = document.getElementById("job");
  if (!job) return;
  const progress = document.getElementById("job-progress");
  const ready = document.getElementById("job-ready");
  const link = document.getElementById("job-file");
  // A file made before the page loaded (often: endorsing queues both) is fetched at once,
  // as the holder came here from [确定] to download it.
  if (!ready.hidden) {
    link.click();
    return;
  }
  const poll = async () => {
    try {
      const answer = await fetch(job.dataset.state, { credentials: "same-origin" });
      if (!answer.ok) throw new Error(String(answer.status));
      const state = await answer.json();
      progress.textContent = state.progress;
      if (state.state === "ready") {
        progress.classList.remove("working");
        link.setAttribute("download", state.download_name);
        ready.hidden = false;
        link.click();
        return;
      }
      if (state.state === "failed") {
        progress.classList.remove("working");
        return;
      }
    } catch (error) {
      progress.textContent = "网络不稳定，正在重试…";
    }
    setTimeout(poll, 400);
  };
  setTimeout(poll, 200);
}
