// The auth plugin's enhancements, loaded on every page (the pages work without them).
(function () {
  "use strict";
  // Silent session refresh: renew the identity cookie a few minutes before it expires, so a
  // page left open stays signed in. The refresh endpoint wants X-Requested-With (CSRF guard).
  var body = document.body;
  var provider = body && body.getAttribute("data-auth-provider");
  var expires = body && parseInt(body.getAttribute("data-auth-expires") || "0", 10);
  function schedule(expiresAt) {
    var lead = 5 * 60 * 1000;
    var delay = Math.max(expiresAt * 1000 - Date.now() - lead, 10 * 1000);
    window.setTimeout(refresh, Math.min(delay, 2147483647));
  }
  function refresh() {
    fetch("/api/auth/" + encodeURIComponent(provider) + "/refresh", {
      method: "GET", credentials: "include", headers: { "X-Requested-With": "XMLHttpRequest" }
    }).then(function (res) {
      if (!res.ok) throw new Error("refresh failed: " + res.status);
      return res.json();
    }).then(function (s) {
      var id = s.backstageIdentity;
      if (id && id.expiresInSeconds) schedule(Date.now() / 1000 + id.expiresInSeconds);
    }).catch(function () { /* the next navigation goes to the sign-in page */ });
  }
  if (provider && expires) schedule(expires);

  // On the sign-in page, restore a session that expired while the browser was away: the
  // provider's refresh cookie may still be good, so try it once before asking.
  var signIn = document.querySelector("section.sign-in[data-redirect]");
  var last = (document.cookie.match(/(?:^|;\s*)portico-auth-provider=([^;]+)/) || [])[1];
  var tried = 0;
  try { tried = parseInt(sessionStorage.getItem("portico-restore") || "0", 10); } catch (e) { tried = Date.now(); }
  // At most once in 30 s, so a cookie the server will not accept cannot cause a redirect loop.
  if (signIn && last && !/[?&]error=/.test(location.search) && Date.now() - tried > 30000) {
    try { sessionStorage.setItem("portico-restore", String(Date.now())); } catch (e) { /* private mode */ }
    fetch("/api/auth/" + encodeURIComponent(last) + "/refresh", {
      method: "GET", credentials: "include", headers: { "X-Requested-With": "XMLHttpRequest" }
    }).then(function (res) {
      if (res.ok) location.replace(signIn.getAttribute("data-redirect") || "/");
    }).catch(function () {});
  }
})();
