package framework

import (
	"strings"
)

// Discovery tells where a plugin's API is reachable: internally (plugin to plugin) and
// externally (from the browser), honouring discovery.endpoints overrides.
type Discovery interface {
	BaseURL(pluginID string) string
	ExternalBaseURL(pluginID string) string
}

// DiscoveryEndpoint overrides the URLs of some plugins (discovery.endpoints[]).
type DiscoveryEndpoint struct {
	Internal, External string   // may contain {{pluginId}}
	Plugins            []string // plugin IDs, or "*" for all
}

// HostDiscovery derives plugin URLs from the backend's own addresses.
type HostDiscovery struct {
	Internal  string // e.g. http://localhost:7007
	External  string // backend.baseUrl
	Endpoints []DiscoveryEndpoint
}

var _ Discovery = HostDiscovery{}

func (d HostDiscovery) endpoint(pluginID string) (DiscoveryEndpoint, bool) {
	for _, e := range d.Endpoints {
		for _, p := range e.Plugins {
			if p == pluginID || p == "*" {
				return e, true
			}
		}
	}
	return DiscoveryEndpoint{}, false
}

func expandPluginID(target, pluginID string) string {
	r := strings.NewReplacer("{{pluginId}}", pluginID, "{{ pluginId }}", pluginID)
	return r.Replace(target)
}

// BaseURL returns the internal URL of the plugin's API.
func (d HostDiscovery) BaseURL(pluginID string) string {
	if e, ok := d.endpoint(pluginID); ok && e.Internal != "" {
		return expandPluginID(e.Internal, pluginID)
	}
	return strings.TrimRight(d.Internal, "/") + "/api/" + pluginID
}

// ExternalBaseURL returns the browser-facing URL of the plugin's API.
func (d HostDiscovery) ExternalBaseURL(pluginID string) string {
	if e, ok := d.endpoint(pluginID); ok && e.External != "" {
		return expandPluginID(e.External, pluginID)
	}
	return strings.TrimRight(d.External, "/") + "/api/" + pluginID
}
