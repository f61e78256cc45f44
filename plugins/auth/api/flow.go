package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/httpapi"
	"github.com/portico-dev/portico/plugins/auth/identity"
	"github.com/portico-dev/portico/plugins/auth/providers"
	"github.com/portico-dev/portico/plugins/auth/resolvers"
)

// maxCookieValue is about what browsers keep of one cookie (4096 bytes with name and attributes).
const maxCookieValue = 3900

// defaultSessionDuration is the refresh cookie lifetime when sessionDuration is not set.
const defaultSessionDuration = 1000 * 24 * time.Hour

// startParams are /start's query parameters, checked.
type startParams struct {
	env, origin, flow, redirect, scope string
}

func (h *handler) readStart(r *http.Request, proxy bool) (startParams, error) {
	q := r.URL.Query()
	sp := startParams{env: q.Get("env"), flow: q.Get("flow"), scope: q.Get("scope")}
	if sp.env == "" && proxy {
		sp.env = h.opts.Environment
	}
	if err := h.checkEnv(sp.env); err != nil {
		return sp, err
	}
	var err error
	if sp.origin, err = h.checkOrigin(q.Get("origin")); err != nil {
		return sp, err
	}
	switch sp.flow {
	case "", "popup":
		sp.flow = ""
	case "redirect":
		target := q.Get("redirectUrl")
		if target == "" {
			target = q.Get("redirect")
		}
		if sp.redirect, err = h.checkRedirect(target); err != nil {
			return sp, err
		}
	default:
		return sp, apierr.Input("unknown flow %q (want popup or redirect)", sp.flow)
	}
	return sp, nil
}

// start begins a sign-in: an OAuth provider gets a state cookie and a redirect to the identity
// provider; a proxy provider goes straight to the handler, as Backstage's guest does.
func (h *handler) start(w http.ResponseWriter, r *http.Request, p *Provider) {
	_, proxy := p.Impl.(providers.Proxy)
	sp, err := h.readStart(r, proxy)
	if err != nil {
		apierr.Write(w, r, h.opts.Logger, err)
		return
	}
	if proxy {
		q := url.Values{"env": {sp.env}, "origin": {sp.origin}}
		if sp.flow == "redirect" {
			q.Set("flow", "redirect")
			q.Set("redirectUrl", sp.redirect)
		}
		http.Redirect(w, r, h.providerPath(p.ID)+"/handler/frame?"+q.Encode(), http.StatusFound)
		return
	}
	oa := p.Impl.(providers.OAuth)
	st := flowState{
		Nonce: randomString(16), OIDCNonce: randomString(16), CodeVerifier: oauth2.GenerateVerifier(),
		Env: sp.env, Origin: sp.origin, Flow: sp.flow, Redirect: sp.redirect, Scope: sp.scope,
	}
	target, err := oa.AuthCodeURL(r.Context(), providers.AuthRequest{
		State: encodeStateParam(st), Nonce: st.OIDCNonce, CodeVerifier: st.CodeVerifier, Scope: st.Scope,
		RedirectURI: h.callbackURL(p.ID),
	})
	if err != nil {
		h.opts.Logger.ErrorContext(r.Context(), "sign-in start", "provider", p.ID, "err", err)
		apierr.Write(w, r, h.opts.Logger, &apierr.Error{Name: "ServiceUnavailableError", Status: http.StatusServiceUnavailable, Message: "The " + p.ID + " sign-in provider is unavailable", Cause: err})
		return
	}
	h.setStateCookie(w, p.ID, st)
	http.Redirect(w, r, target, http.StatusFound)
}

func (h *handler) callbackURL(id string) string { return h.opts.BaseURL + "/" + id + "/handler/frame" }

// frame is the callback (redirect_uri): it finishes the sign-in and answers the popup with a
// postMessage page, or the redirect flow with a redirect back into the portal.
func (h *handler) frame(w http.ResponseWriter, r *http.Request, p *Provider) {
	ctx := r.Context()
	var (
		res providers.Result
		st  flowState
		err error
	)
	if proxy, ok := p.Impl.(providers.Proxy); ok {
		var sp startParams
		if sp, err = h.readStart(r, true); err != nil {
			h.fail(w, r, st, err)
			return
		}
		st = flowState{Env: sp.env, Origin: sp.origin, Flow: sp.flow, Redirect: sp.redirect}
		res, err = proxy.Authenticate(r)
	} else {
		if st, err = h.takeState(w, r, p.ID); err != nil {
			h.fail(w, r, st, err)
			return
		}
		if e := r.FormValue("error"); e != "" {
			msg := e
			if d := r.FormValue("error_description"); d != "" {
				msg += ": " + d
			}
			h.fail(w, r, st, apierr.Authentication("The %s sign-in was refused: %s", p.ID, msg))
			return
		}
		code := r.FormValue("code")
		if code == "" {
			h.fail(w, r, st, apierr.Authentication("Auth response has no authorization code"))
			return
		}
		res, err = p.Impl.(providers.OAuth).Exchange(ctx, code, providers.AuthRequest{
			Nonce: st.OIDCNonce, CodeVerifier: st.CodeVerifier, RedirectURI: h.callbackURL(p.ID),
		})
	}
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	sess, err := h.session(ctx, p, res)
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	h.setSessionCookies(w, p, res, sess)
	if st.Flow == "redirect" {
		http.Redirect(w, r, st.Redirect, http.StatusFound)
		return
	}
	writePostMessage(w, http.StatusOK, st.Origin, webMessage{Type: "authorization_response", Response: sess})
}

// fail answers a failed sign-in without creating a session: the popup gets the error by
// postMessage, the redirect flow a refusal page; both with the error's status.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, st flowState, err error) {
	ae := classify(err)
	if ae.Status >= 500 {
		h.opts.Logger.ErrorContext(r.Context(), "sign-in failed", "err", err)
	} else {
		h.opts.Logger.InfoContext(r.Context(), "sign-in refused", "reason", ae.Message)
	}
	origin := st.Origin
	if origin == "" {
		origin = h.opts.AppOrigin
	}
	flow := st.Flow
	if st.Origin == "" {
		// No trusted state: answer in the form the request asked for (the state parameter or the
		// proxy flow's query); it changes only how the refusal is shown.
		flow = r.URL.Query().Get("flow")
		if q, err := decodeStateParam(r.FormValue("state")); err == nil && q.Get("flow") != "" {
			flow = q.Get("flow")
		}
	}
	if flow == "redirect" {
		writeRefusal(w, ae)
		return
	}
	writePostMessage(w, ae.Status, origin, webMessage{Type: "authorization_response", Error: &errorPayload{Name: ae.Name, Message: ae.Message}})
}

// Session is Backstage's session response (the body of /refresh and the popup's response).
type Session struct {
	Profile           resolvers.Profile      `json:"profile"`
	ProviderInfo      providers.ProviderInfo `json:"providerInfo"`
	BackstageIdentity *BackstageIdentity     `json:"backstageIdentity,omitempty"`
}

// BackstageIdentity is the portal identity part of a session.
type BackstageIdentity struct {
	Token            string           `json:"token"`
	ExpiresInSeconds int64            `json:"expiresInSeconds"`
	Identity         IdentityResponse `json:"identity"`
}

// IdentityResponse describes the signed-in user.
type IdentityResponse struct {
	Type                string   `json:"type"`
	UserEntityRef       string   `json:"userEntityRef"`
	OwnershipEntityRefs []string `json:"ownershipEntityRefs"`
}

// session resolves the user and issues the identity token.
func (h *handler) session(ctx context.Context, p *Provider, res providers.Result) (*Session, error) {
	var id resolvers.Identity
	var err error
	if g, ok := p.Impl.(*providers.Guest); ok {
		id, err = h.guestIdentity(ctx, g)
	} else {
		id, err = h.opts.Resolver.Resolve(ctx, p.Resolvers, res.Info)
	}
	if err != nil {
		return nil, err
	}
	tok, exp, err := h.opts.Issuer.Issue(ctx, identity.Identity{UserEntityRef: id.UserEntityRef, OwnershipEntityRefs: id.OwnershipEntityRefs})
	if err != nil {
		return nil, err
	}
	claims := id.OwnershipEntityRefs
	if len(claims) == 0 {
		claims = []string{id.UserEntityRef}
	}
	return &Session{
		Profile:      res.Info.Profile,
		ProviderInfo: res.ProviderInfo,
		BackstageIdentity: &BackstageIdentity{
			Token:            tok,
			ExpiresInSeconds: int64(exp.Sub(h.opts.Now()) / time.Second),
			Identity:         IdentityResponse{Type: "user", UserEntityRef: id.UserEntityRef, OwnershipEntityRefs: claims},
		},
	}, nil
}

// guestIdentity is the guest's catalog user when there is one, else the configured refs.
func (h *handler) guestIdentity(ctx context.Context, g *providers.Guest) (resolvers.Identity, error) {
	if h.opts.Resolver.Catalog != nil {
		id, err := h.opts.Resolver.Resolve(ctx, []resolvers.Config{{Resolver: resolvers.UsernameMatchingUserEntityName}}, resolvers.Info{ProviderID: "guest", Username: g.UserEntityRef})
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, resolvers.ErrRefused) {
			h.opts.Logger.WarnContext(ctx, "guest sign-in: catalog lookup failed, signing in without catalog user", "err", err)
		}
	}
	ent := g.OwnershipEntityRefs
	if len(ent) == 0 {
		ent = []string{g.UserEntityRef}
	}
	return resolvers.Identity{UserEntityRef: g.UserEntityRef, OwnershipEntityRefs: ent}, nil
}

// setSessionCookies stores the refresh token (when the provider gave one) and the identity
// token the portal's pages read.
func (h *handler) setSessionCookies(w http.ResponseWriter, p *Provider, res providers.Result, sess *Session) {
	if res.RefreshToken != "" {
		d := p.SessionDuration
		if d <= 0 {
			d = defaultSessionDuration
		}
		h.setCookie(w, h.refreshCookieName(p.ID), res.RefreshToken, h.providerPath(p.ID), d)
	}
	life := time.Duration(sess.BackstageIdentity.ExpiresInSeconds) * time.Second
	if n := len(sess.BackstageIdentity.Token); n > maxCookieValue {
		// Browsers drop larger cookies: pages would not see the identity (too many groups).
		h.opts.Logger.Warn("identity token too large for the portico-token cookie", "bytes", n, "user", sess.BackstageIdentity.Identity.UserEntityRef)
	}
	h.setCookie(w, TokenCookie, sess.BackstageIdentity.Token, "/", life)
	http.SetCookie(w, &http.Cookie{Name: ProviderCookie, Value: p.ID, Path: "/", Secure: h.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(defaultSessionDuration / time.Second)})
}

// refresh restores a session silently: from the refresh cookie for OAuth providers, from the
// request for proxy providers.
func (h *handler) refresh(w http.ResponseWriter, r *http.Request, p *Provider) {
	if err := requireXHR(r); err != nil {
		apierr.Write(w, r, h.opts.Logger, err)
		return
	}
	ctx := r.Context()
	var res providers.Result
	var err error
	if proxy, ok := p.Impl.(providers.Proxy); ok {
		res, err = proxy.Authenticate(r)
	} else {
		c, cerr := r.Cookie(h.refreshCookieName(p.ID))
		if cerr != nil || c.Value == "" {
			apierr.Write(w, r, h.opts.Logger, apierr.Authentication("Refresh failed: Missing session cookie"))
			return
		}
		res, err = p.Impl.(providers.OAuth).Refresh(ctx, c.Value, r.URL.Query().Get("scope"))
		if err == nil && res.RefreshToken == c.Value {
			res.RefreshToken = "" // unchanged: keep the cookie as it is
		}
	}
	var sess *Session
	if err == nil {
		sess, err = h.session(ctx, p, res)
	}
	if err != nil {
		ae := classify(err)
		if ae.Status == http.StatusUnauthorized {
			ae = &apierr.Error{Name: "AuthenticationError", Status: http.StatusUnauthorized, Message: "Refresh failed: " + ae.Message, Cause: err}
		}
		apierr.Write(w, r, h.opts.Logger, ae)
		return
	}
	h.setSessionCookies(w, p, res, sess)
	w.Header().Set("Cache-Control", "no-store")
	_ = httpapi.WriteJSON(w, http.StatusOK, sess) // the handler sets cookies: not a Func
}

// logout ends the session: the refresh cookie and the portal's identity cookies go.
func (h *handler) logout(w http.ResponseWriter, r *http.Request, p *Provider) {
	if err := requireXHR(r); err != nil {
		apierr.Write(w, r, h.opts.Logger, err)
		return
	}
	h.setCookie(w, h.refreshCookieName(p.ID), "", h.providerPath(p.ID), -1)
	h.setCookie(w, TokenCookie, "", "/", -1)
	http.SetCookie(w, &http.Cookie{Name: ProviderCookie, Value: "", Path: "/", MaxAge: -1, Secure: h.secure, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusOK)
}
