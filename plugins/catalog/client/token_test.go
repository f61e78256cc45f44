package client_test

import (
	"context"
	"testing"

	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/plugins/catalog/client"
)

// recordingAuthority issues a token naming the principal and target it was asked for.
type recordingAuthority struct{}

func (recordingAuthority) GetOwnServiceCredentials() auth.Credentials {
	return auth.Credentials{Principal: auth.ServicePrincipal{Subject: "plugin:me"}}
}

func (recordingAuthority) GetPluginRequestToken(_ context.Context, c auth.Credentials, target string) (string, error) {
	if u, ok := c.User(); ok {
		return u.UserEntityRef + "->" + target, nil
	}
	if s, ok := c.Service(); ok {
		return s.Subject + "->" + target, nil
	}
	return "none->" + target, nil
}

// TestTokenFuncs: OnBehalfOfCaller asks for a catalog token on behalf of the caller in the
// context and falls back to the plugin's own credentials; AsPlugin always uses the plugin's.
func TestTokenFuncs(t *testing.T) {
	user := auth.Credentials{Principal: auth.UserPrincipal{UserEntityRef: "user:default/ann"}}
	tests := []struct {
		name string
		fn   client.TokenFunc
		ctx  context.Context
		want string
	}{
		{"caller is a user", client.OnBehalfOfCaller(recordingAuthority{}), auth.WithCredentials(context.Background(), user), "user:default/ann->catalog"},
		{"no caller", client.OnBehalfOfCaller(recordingAuthority{}), context.Background(), "plugin:me->catalog"},
		{"anonymous caller", client.OnBehalfOfCaller(recordingAuthority{}), auth.WithCredentials(context.Background(), auth.None()), "plugin:me->catalog"},
		{"as plugin ignores the user", client.AsPlugin(recordingAuthority{}), auth.WithCredentials(context.Background(), user), "plugin:me->catalog"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.fn(tt.ctx)
			if err != nil || got != tt.want {
				t.Errorf("token = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
