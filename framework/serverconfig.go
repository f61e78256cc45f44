package framework

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/config"
)

// DefaultPort is Backstage's backend port; clients and docs assume it.
const DefaultPort = 7007

// ServerOptionsFromConfig reads backend.listen, baseUrl, cors, csp, health, lifecycle and
// trustProxy.
func ServerOptionsFromConfig(cfg *config.Config) (ServerOptions, error) {
	var o ServerOptions
	o.Port = DefaultPort
	if err := readListen(cfg, &o); err != nil {
		return o, err
	}
	base, ok, err := cfg.OptionalString("backend.baseUrl")
	if err != nil {
		return o, err
	}
	if ok {
		if _, perr := url.Parse(base); perr != nil {
			return o, configError(cfg, "backend.baseUrl", "not a URL: %v", perr)
		}
		o.BaseURL = strings.TrimRight(base, "/")
	} else {
		o.BaseURL = fmt.Sprintf("http://localhost:%d", o.Port)
	}
	if o.CORS, err = readCORS(cfg); err != nil {
		return o, err
	}
	if o.CSP, err = readCSP(cfg); err != nil {
		return o, err
	}
	if v, ok := cfg.Get("backend.health.headers"); ok {
		m, isMap := v.(map[string]any)
		if !isMap {
			return o, configError(cfg, "backend.health.headers", "want an object of header names to values")
		}
		o.HealthHeaders = map[string]string{}
		for k, hv := range m {
			o.HealthHeaders[k] = fmt.Sprint(hv)
		}
	}
	if o.StartupRequestPauseTimeout, _, err = cfg.OptionalDuration("backend.lifecycle.startupRequestPauseTimeout"); err != nil {
		return o, err
	}
	if o.ServerShutdownDelay, _, err = cfg.OptionalDuration("backend.lifecycle.serverShutdownDelay"); err != nil {
		return o, err
	}
	if o.ShutdownTimeout, _, err = cfg.OptionalDuration("backend.lifecycle.shutdownTimeout"); err != nil {
		return o, err
	}
	if v, ok := cfg.Get("backend.trustProxy"); ok {
		switch t := v.(type) {
		case bool:
			o.TrustProxy = t
		default:
			o.TrustProxy = true // a hop count or a list of trusted proxies
		}
	}
	return o.withDefaults(), nil
}

func readListen(cfg *config.Config, o *ServerOptions) error {
	v, ok := cfg.Get("backend.listen")
	if !ok {
		return nil
	}
	switch l := v.(type) {
	case string: // ":7007" or "0.0.0.0:7007"
		host, port, err := net.SplitHostPort(l)
		if err != nil {
			return configError(cfg, "backend.listen", "want host:port or an object with port and host, got %q", l)
		}
		o.Host = host
		p, err := strconv.Atoi(port)
		if err != nil || p < 0 || p > 65535 {
			return configError(cfg, "backend.listen", "invalid port %q", port)
		}
		o.Port = p
		return nil
	case map[string]any:
		if p, ok, err := cfg.OptionalInt("backend.listen.port"); err != nil {
			return err
		} else if ok {
			if p < 0 || p > 65535 {
				return configError(cfg, "backend.listen.port", "port %d is out of range", p)
			}
			o.Port = p
		}
		h, _, err := cfg.OptionalString("backend.listen.host")
		if err != nil {
			return err
		}
		o.Host = h
		return nil
	default:
		return configError(cfg, "backend.listen", "want host:port or an object with port and host")
	}
}

// stringOrList reads a key that may be one string (possibly comma separated) or a list.
func stringOrList(cfg *config.Config, key string) ([]string, error) {
	v, ok := cfg.Get(key)
	if !ok {
		return nil, nil
	}
	if s, isStr := v.(string); isStr {
		var out []string
		for _, part := range strings.Split(s, ",") {
			if p := strings.TrimSpace(part); p != "" {
				out = append(out, p)
			}
		}
		return out, nil
	}
	return cfg.StringArray(key)
}

func readCORS(cfg *config.Config) (CORSOptions, error) {
	var c CORSOptions
	var err error
	if c.Origins, err = stringOrList(cfg, "backend.cors.origin"); err != nil {
		return c, err
	}
	if c.Methods, err = stringOrList(cfg, "backend.cors.methods"); err != nil {
		return c, err
	}
	if c.AllowedHeaders, err = stringOrList(cfg, "backend.cors.allowedHeaders"); err != nil {
		return c, err
	}
	if c.ExposedHeaders, err = stringOrList(cfg, "backend.cors.exposedHeaders"); err != nil {
		return c, err
	}
	if c.Credentials, _, err = cfg.OptionalBool("backend.cors.credentials"); err != nil {
		return c, err
	}
	if c.MaxAge, _, err = cfg.OptionalInt("backend.cors.maxAge"); err != nil {
		return c, err
	}
	return c, nil
}

func readCSP(cfg *config.Config) (map[string][]string, error) {
	v, ok := cfg.Get("backend.csp")
	if !ok {
		return nil, nil
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		return nil, configError(cfg, "backend.csp", "want an object of CSP directives")
	}
	out := map[string][]string{}
	for k, dv := range m {
		if b, isBool := dv.(bool); isBool {
			if b {
				return nil, configError(cfg, "backend.csp."+k, "use false to remove a directive, or a list of sources")
			}
			out[k] = nil
			continue
		}
		list, err := cfg.StringArray("backend.csp." + k)
		if err != nil {
			return nil, err
		}
		out[k] = list
	}
	return out, nil
}

// DiscoveryFromConfig builds plugin URL discovery from backend.* and discovery.endpoints.
func DiscoveryFromConfig(cfg *config.Config, listenAddr net.Addr) (Discovery, error) {
	o, err := ServerOptionsFromConfig(cfg)
	if err != nil {
		return nil, err
	}
	host, port := o.Host, strconv.Itoa(o.Port)
	if listenAddr != nil {
		if _, p, err := net.SplitHostPort(listenAddr.String()); err == nil {
			port = p
		}
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	d := HostDiscovery{Internal: "http://" + net.JoinHostPort(host, port), External: o.BaseURL}
	eps, _, err := cfg.OptionalConfigArray("discovery.endpoints")
	if err != nil {
		return nil, err
	}
	for _, ep := range eps {
		var e DiscoveryEndpoint
		if s, ok, _ := ep.OptionalString("target"); ok {
			e.Internal, e.External = s, s
		} else {
			if e.Internal, err = ep.String("target.internal"); err != nil {
				return nil, err
			}
			if e.External, err = ep.String("target.external"); err != nil {
				return nil, err
			}
		}
		if e.Plugins, err = stringOrList(ep, "plugins"); err != nil {
			return nil, err
		}
		d.Endpoints = append(d.Endpoints, e)
	}
	return d, nil
}

// configError is an error about one key, naming its file and line when known.
func configError(cfg *config.Config, key, format string, args ...any) error {
	file, line := cfg.Origin(key)
	full := key
	if p := cfg.Path(); p != "" {
		full = p + "." + key
	}
	return &config.Error{File: file, Line: line, Key: full, Message: fmt.Sprintf(format, args...)}
}
