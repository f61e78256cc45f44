package apidef

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func examplesDir() string { return filepath.Join("..", "..", "..", "examples", "apis", "definitions") }

// findOp returns the operation with the given method and path.
func findOp(doc *OpenAPI, method, path string) (Operation, string, bool) {
	for _, g := range doc.Groups {
		for _, op := range g.Operations {
			if op.Method == method && op.Path == path {
				return op, g.Name, true
			}
		}
	}
	return Operation{}, "", false
}

func TestParseOpenAPI(t *testing.T) {
	tests := []struct {
		name, file              string
		spec, format, title     string
		servers                 []string
		method, path, tag, opID string
		check                   func(t *testing.T, op Operation)
	}{
		{
			name: "openapi 3.0 bookings", file: filepath.Join(examplesDir(), "bookings.openapi.yaml"),
			spec: "3.0.3", format: "OpenAPI", title: "Bookings API", servers: []string{"https://api.kestrel.example/bookings/v2"},
			method: "GET", path: "/bookings", tag: "bookings", opID: "listBookings",
			check: func(t *testing.T, op Operation) {
				if len(op.Parameters) != 4 || op.Parameters[0].Name != "customerId" || !op.Parameters[0].Required || op.Parameters[0].Schema.Type != "string (uuid)" {
					t.Errorf("parameters = %+v", op.Parameters)
				}
				if op.Parameters[1].Schema.Name != "BookingStatus" || len(op.Parameters[1].Schema.Enum) == 0 {
					t.Errorf("status parameter schema = %+v, want the BookingStatus enum", op.Parameters[1].Schema)
				}
				if len(op.Responses) == 0 || op.Responses[0].Status != "200" || op.Responses[0].Contents[0].Type != "application/json" {
					t.Fatalf("responses = %+v", op.Responses)
				}
				if s := op.Responses[0].Contents[0].Schema; s.Name != "BookingPage" || len(s.Properties) == 0 {
					t.Errorf("200 schema = %+v, want BookingPage with properties", s)
				}
			},
		},
		{
			name: "openapi 3.0 path parameters and request body", file: filepath.Join(examplesDir(), "bookings.openapi.yaml"),
			spec: "3.0.3", format: "OpenAPI", title: "Bookings API", servers: []string{"https://api.kestrel.example/bookings/v2"},
			method: "PATCH", path: "/bookings/{bookingId}", tag: "bookings", opID: "amendBooking",
			check: func(t *testing.T, op Operation) {
				if len(op.Parameters) == 0 || op.Parameters[0].In != "path" {
					t.Errorf("parameters = %+v, want the path-level bookingId", op.Parameters)
				}
				if op.RequestBody == nil || len(op.RequestBody.Contents) == 0 || op.RequestBody.Contents[0].Schema == nil {
					t.Errorf("request body = %+v", op.RequestBody)
				}
			},
		},
		{
			name: "swagger 2", file: filepath.Join("testdata", "petstore.swagger.yaml"),
			spec: "2.0", format: "Swagger", title: "Swagger Petstore", servers: []string{"https://petstore.example/v1"},
			method: "GET", path: "/pets", tag: "pets", opID: "listPets",
			check: func(t *testing.T, op Operation) {
				if len(op.Parameters) != 1 || op.Parameters[0].Schema.Type != "integer (int32)" {
					t.Errorf("parameters = %+v", op.Parameters)
				}
				if len(op.Responses) != 2 || op.Responses[0].Status != "200" || op.Responses[1].Class() != "default" {
					t.Fatalf("responses = %+v", op.Responses)
				}
				media := op.Responses[0].Contents[0]
				if media.Schema.Type != "array" || media.Schema.Items.Name != "Pet" {
					t.Errorf("200 schema = %+v, want array of Pet", media.Schema)
				}
				if len(media.Examples) != 1 || !strings.Contains(media.Examples[0].Value, `"name": "Rex"`) {
					t.Errorf("examples = %+v", media.Examples)
				}
				parent := media.Schema.Items.Properties[3]
				if parent.Name != "parent" || !parent.Schema.Circular {
					t.Errorf("Pet.parent = %+v, want a circular reference", parent)
				}
			},
		},
		{
			name: "swagger 2 body parameter", file: filepath.Join("testdata", "petstore.swagger.yaml"),
			spec: "2.0", format: "Swagger", title: "Swagger Petstore", servers: []string{"https://petstore.example/v1"},
			method: "POST", path: "/pets", tag: "pets", opID: "createPet",
			check: func(t *testing.T, op Operation) {
				if len(op.Parameters) != 0 {
					t.Errorf("parameters = %+v, want the body moved to the request body", op.Parameters)
				}
				if op.RequestBody == nil || !op.RequestBody.Required || op.RequestBody.Contents[0].Schema.Name != "Pet" {
					t.Errorf("request body = %+v", op.RequestBody)
				}
			},
		},
		{
			name: "swagger 2 untagged operation", file: filepath.Join("testdata", "petstore.swagger.yaml"),
			spec: "2.0", format: "Swagger", title: "Swagger Petstore", servers: []string{"https://petstore.example/v1"},
			method: "GET", path: "/pets/{petId}", tag: "default", opID: "showPetById",
			check: func(t *testing.T, op Operation) {
				if len(op.Parameters) != 1 || op.Parameters[0].Name != "petId" || !op.Parameters[0].Required {
					t.Errorf("parameters = %+v", op.Parameters)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ParseOpenAPI(readFile(t, tt.file))
			if err != nil {
				t.Fatalf("ParseOpenAPI(%s): %v", tt.file, err)
			}
			if doc.SpecVersion != tt.spec || doc.Format() != tt.format || doc.Title != tt.title {
				t.Errorf("spec %q format %q title %q, want %q %q %q", doc.SpecVersion, doc.Format(), doc.Title, tt.spec, tt.format, tt.title)
			}
			var servers []string
			for _, s := range doc.Servers {
				servers = append(servers, s.URL)
			}
			if strings.Join(servers, " ") != strings.Join(tt.servers, " ") {
				t.Errorf("servers = %v, want %v", servers, tt.servers)
			}
			op, tag, ok := findOp(doc, tt.method, tt.path)
			if !ok {
				t.Fatalf("no operation %s %s in %+v", tt.method, tt.path, doc.Groups)
			}
			if tag != tt.tag || op.OperationID != tt.opID || op.Anchor == "" {
				t.Errorf("operation tag %q id %q anchor %q, want tag %q id %q", tag, op.OperationID, op.Anchor, tt.tag, tt.opID)
			}
			tt.check(t, op)
		})
	}
}

func TestParseOpenAPIExamples(t *testing.T) {
	for _, f := range []string{"bookings.openapi.yaml", "inventory.openapi.yaml", "risk-scoring.openapi.yaml"} {
		t.Run(f, func(t *testing.T) {
			doc, err := ParseOpenAPI(readFile(t, filepath.Join(examplesDir(), f)))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, g := range doc.Groups {
				n += len(g.Operations)
			}
			if n == 0 {
				t.Errorf("no operations in %s", f)
			}
		})
	}
}

func TestParseOpenAPIErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"not yaml", "openapi: [3.0", "parse definition"},
		{"not a mapping", "- a\n- b", "not a mapping"},
		{"no version", "info: {title: x}", "not an OpenAPI"},
		{"empty", "", "empty"},
		{"asyncapi given", "asyncapi: 2.6.0", "not an OpenAPI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOpenAPI(tt.text)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseOpenAPI(%q) error = %v, want it to mention %q", tt.text, err, tt.want)
			}
		})
	}
}

func TestParseOpenAPIJSON(t *testing.T) {
	doc, err := ParseOpenAPI(`{"openapi":"3.1.0","info":{"title":"J","version":"1"},"paths":{"/x":{"get":{"responses":{"204":{"description":"none"}},"parameters":[{"name":"q","in":"query","schema":{"type":["string","null"]}}]}}}}`)
	if err != nil {
		t.Fatal(err)
	}
	op, _, ok := findOp(doc, "GET", "/x")
	if !ok || op.Parameters[0].Schema.Type != "string | null" || op.Responses[0].Status != "204" {
		t.Errorf("got %+v", doc.Groups)
	}
}

func TestParseAsyncAPI(t *testing.T) {
	tests := []struct {
		name, text, spec, channel, action string
		messages                          []string
	}{
		{
			name: "asyncapi 2 booking events", text: readFile(t, filepath.Join(examplesDir(), "booking-events.asyncapi.yaml")),
			spec: "2.6.0", channel: "booking-events", action: "subscribe",
			messages: []string{"booking.confirmed", "booking.changed", "booking.cancelled"},
		},
		{
			name: "asyncapi 3", spec: "3.0.0", channel: "userSignedUp", action: "send", messages: []string{"UserSignedUp"},
			text: `asyncapi: 3.0.0
info: {title: Accounts, version: 1.0.0}
channels:
  userSignedUp:
    address: user/signedup
    messages:
      UserSignedUp:
        payload:
          type: object
          properties:
            email: {type: string, format: email}
operations:
  sendUserSignedUp:
    action: send
    channel: {$ref: '#/channels/userSignedUp'}
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ParseAsyncAPI(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if doc.SpecVersion != tt.spec || len(doc.Channels) == 0 {
				t.Fatalf("spec %q channels %+v", doc.SpecVersion, doc.Channels)
			}
			ch := doc.Channels[0]
			if ch.Name != tt.channel || len(ch.Operations) != 1 || ch.Operations[0].Action != tt.action {
				t.Fatalf("channel = %+v", ch)
			}
			var names []string
			for _, m := range ch.Operations[0].Messages {
				names = append(names, m.Name)
				if m.Payload == nil || len(m.Payload.Properties)+len(m.Payload.Variants) == 0 {
					t.Errorf("message %s payload = %+v, want a schema", m.Name, m.Payload)
				}
			}
			if strings.Join(names, ",") != strings.Join(tt.messages, ",") {
				t.Errorf("messages = %v, want %v", names, tt.messages)
			}
		})
	}
}

func TestHighlight(t *testing.T) {
	tests := []struct{ name, src, lang, want string }{
		{"graphql", readFile(t, filepath.Join(examplesDir(), "itinerary.graphql")), LangGraphQL, `<span class="kd">enum</span>`},
		{"protobuf", readFile(t, filepath.Join(examplesDir(), "payments.proto")), LangProtobuf, `<span class="kd">message</span>`},
		{"unknown language is escaped text", "<b>", "nope", `<pre class="chroma"><code>&lt;b&gt;</code></pre>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Highlight(tt.src, tt.lang))
			if !strings.Contains(got, tt.want) {
				t.Errorf("Highlight(%s) does not contain %q:\n%.400s", tt.lang, tt.want, got)
			}
		})
	}
}
