// Upload page: drag and drop onto the drop zone fills the ordinary file input, so the form
// still posts as plain multipart (the page works the same without this script).
"use strict";
(function () {
  document.documentElement.classList.add("js");
  document.body.classList.add("js");
  var form = document.getElementById("upload");
  var drop = document.getElementById("drop");
  var input = document.getElementById("file");
  var list = document.getElementById("chosen");
  var tooBig = document.getElementById("too-big");
  var submit = document.getElementById("submit");
  var busy = document.getElementById("busy");
  var save = document.getElementById("save");
  var folder = document.getElementById("folder");
  if (!form || !drop || !input) return;
  var limit = parseInt(drop.getAttribute("data-limit"), 10) || 0;

  function size(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1) + " MB";
    if (n >= 1024) return Math.round(n / 1024) + " KB";
    return n + " 字节";
  }

  function show() {
    list.textContent = "";
    var total = 0;
    Array.prototype.forEach.call(input.files, function (f) {
      total += f.size;
      var li = document.createElement("li");
      li.textContent = f.name;
      var s = document.createElement("span");
      s.className = "size";
      s.textContent = size(f.size);
      li.appendChild(s);
      list.appendChild(li);
    });
    var over = limit && total > limit;
    tooBig.hidden = !over;
    tooBig.textContent = over ? "所选文件合计 " + size(total) + "，超过 " + size(limit) + " 的上限，请分批上传。" : "";
    submit.disabled = !!over;
  }

  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach(function (type) {
    drop.addEventListener(type, function (e) {
      e.preventDefault();
      drop.classList.add("over");
    });
  });
  ["dragleave", "dragend"].forEach(function (type) {
    drop.addEventListener(type, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    e.preventDefault();
    drop.classList.remove("over");
    if (!e.dataTransfer || !e.dataTransfer.files.length) return;
    input.files = e.dataTransfer.files;
    show();
  });
  drop.addEventListener("click", function (e) {
    if (e.target === drop || e.target.classList.contains("drop-title")) input.click();
  });

  function syncFolder() { folder.disabled = !save.checked; }
  if (save && folder) {
    save.addEventListener("change", syncFolder);
    syncFolder();
  }

  form.addEventListener("submit", function (e) {
    var text = form.querySelector("textarea[name=text]");
    if (!input.files.length && !(text && text.value.trim())) {
      e.preventDefault();
      tooBig.hidden = false;
      tooBig.textContent = "请选择要检查的文件，或粘贴要检查的文字。";
      return;
    }
    submit.disabled = true;
    busy.hidden = false;
  });
  // Back/forward cache: a page restored after navigating back must be usable again.
  window.addEventListener("pageshow", function () {
    submit.disabled = false;
    busy.hidden = true;
  });
})();
