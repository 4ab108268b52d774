// ecert app (mobile web): approves the portal's real-name QR code.
// The device key is made here with WebCrypto as non-extractable and kept in IndexedDB;
// only its public half ever leaves the phone.
"use strict";

const root = document.getElementById("app");
const csrf = root ? root.dataset.csrf : "";
let currentCode = "";

document.addEventListener("DOMContentLoaded", () => {
  if (!document.getElementById("scan")) return;
  document.getElementById("code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    load(document.getElementById("code").value);
  });
  document.getElementById("scan-camera").addEventListener("click", scan);
  document.getElementById("face-start").addEventListener("click", face);
  document.getElementById("approve").addEventListener("click", approve);
  const fromLink = new URLSearchParams(window.location.hash.slice(1)).get("code");
  if (fromLink) {
    history.replaceState(null, "", "/app");
    document.getElementById("code").value = fromLink;
    load(fromLink);
  }
});

function say(text) {
  document.getElementById("app-status").textContent = text;
}

async function post(path, body) {
  const answer = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body),
  });
  const data = await answer.json().catch(() => ({}));
  if (!answer.ok) throw new Error(data.error || "请求失败（" + answer.status + "）");
  return data;
}

async function load(code) {
  try {
    const request = await post("/app/challenge", { code });
    currentCode = code;
    document.getElementById("request-user").textContent = request.username;
    document.getElementById("request-action").textContent = request.action;
    document.getElementById("request-address").textContent = request.client_address;
    document.getElementById("request-time").textContent = request.asked_at;
    document.getElementById("request-expires").textContent = request.expires_at;
    document.getElementById("request").hidden = false;
    document.getElementById("face-start").hidden = request.face_checked;
    document.getElementById("approve").hidden = !request.face_checked;
    say("");
  } catch (error) {
    say(error.message);
  }
}

async function scan() {
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) {
    say("此浏览器不能直接扫码，请输入二维码下方的认证码。");
    return;
  }
  const video = document.getElementById("scan-video");
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const detector = new BarcodeDetector({ formats: ["qr_code"] });
    const look = async () => {
      const codes = await detector.detect(video);
      const hit = codes.map((c) => c.rawValue).find((v) => v.includes("#code="));
      if (!hit) return requestAnimationFrame(look);
      stream.getTracks().forEach((track) => track.stop());
      video.hidden = true;
      const code = new URLSearchParams(hit.split("#")[1]).get("code");
      document.getElementById("code").value = code;
      load(code);
    };
    look();
  } catch (error) {
    say("无法打开摄像头，请输入认证码。");
  }
}

async function face() {
  try {
    say("正在进行人脸识别…");
    await post("/app/face", { code: currentCode, image: await cameraFrame() });
    document.getElementById("face-start").hidden = true;
    document.getElementById("approve").hidden = false;
    say("人脸识别通过，请点击 [确认授权]。");
  } catch (error) {
    say(error.message);
  }
}

// One frame from the front camera as base64 JPEG, or "" where there is no camera.
async function cameraFrame() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return "";
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" } });
    const video = document.createElement("video");
    video.srcObject = stream;
    video.muted = true;
    await video.play();
    const canvas = document.createElement("canvas");
    canvas.width = Math.min(video.videoWidth, 640);
    canvas.height = Math.round(canvas.width * video.videoHeight / Math.max(video.videoWidth, 1));
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    stream.getTracks().forEach((track) => track.stop());
    return canvas.toDataURL("image/jpeg", 0.85).split(",")[1] || "";
  } catch (error) {
    return "";
  }
}

async function approve() {
  try {
    const device = await deviceKey();
    const statement = new TextEncoder().encode("ecert-approve-v1:" + normalise(currentCode));
    const signature = await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-256" }, device.keys.privateKey, statement);
    await post("/app/approve", {
      code: currentCode,
      device_id: device.id,
      signature: base64url(new Uint8Array(signature)),
    });
    document.getElementById("request").hidden = true;
    say("认证成功，请返回电脑继续操作。");
  } catch (error) {
    say(error.message);
  }
}

function normalise(code) {
  return code.replace(/[^0-9a-z]/gi, "").toUpperCase();
}

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// The device key of this account on this phone, made on first use.
async function deviceKey() {
  const user = document.getElementById("app-user").textContent;
  const stored = await keyStore("readonly", (store) => store.get(user));
  if (stored) return stored;
  const keys = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  const publicKey = await crypto.subtle.exportKey("jwk", keys.publicKey);
  const { device_id } = await post("/app/device", {
    public_key: { kty: publicKey.kty, crv: publicKey.crv, x: publicKey.x, y: publicKey.y },
  });
  const device = { id: device_id, keys };
  await keyStore("readwrite", (store) => store.put(device, user));
  return device;
}

function keyStore(mode, action) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open("ecert-app", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("devices");
    open.onerror = () => reject(new Error("无法保存设备密钥"));
    open.onsuccess = () => {
      const request = action(open.result.transaction("devices", mode).objectStore("devices"));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(new Error("无法保存设备密钥"));
    };
  });
}
