package apidef

import (
	"fmt"
	"strings"
)

// AsyncAPI is an AsyncAPI 2.x or 3.x document prepared for display.
type AsyncAPI struct {
	SpecVersion string
	Title       string
	Version     string
	Description string
	Servers     []AsyncServer
	Channels    []Channel
}

// AsyncServer is a broker the API is reachable on.
type AsyncServer struct{ Name, URL, Protocol, Description string }

// Channel is a topic or queue with the operations on it.
type Channel struct {
	Anchor      string
	Name        string
	Address     string // AsyncAPI 3 address, when it differs from the name
	Description string
	Operations  []AsyncOperation
	Messages    []Message // AsyncAPI 3: the messages the channel carries
}

// AsyncOperation is a publish/subscribe (2.x) or send/receive (3.x) operation.
type AsyncOperation struct {
	Action      string // publish, subscribe, send, receive
	ID          string
	Summary     string
	Description string
	Messages    []Message
}

// Message is one message with its payload schema.
type Message struct {
	Name, Title, Summary, Description string
	ContentType                       string
	Payload                           *Schema
	Headers                           *Schema
	Examples                          []Example
}

// ParseAsyncAPI reads an AsyncAPI 2.x or 3.x document in YAML or JSON.
func ParseAsyncAPI(text string) (*AsyncAPI, error) {
	root, err := parseDocument(text)
	if err != nil {
		return nil, err
	}
	v := root.str("asyncapi")
	if !strings.HasPrefix(v, "2.") && !strings.HasPrefix(v, "3.") {
		return nil, fmt.Errorf("not an AsyncAPI 2.x or 3.x document: no asyncapi: 2.x or 3.x field")
	}
	p := asyncParser{root: root, schemas: schemaBuilder{root: root}}
	info := root.obj("info")
	doc := &AsyncAPI{SpecVersion: v, Title: info.str("title"), Version: info.str("version"), Description: info.str("description")}
	if servers := root.obj("servers"); servers != nil {
		for _, name := range servers.keys {
			t, _ := deref(root, servers.vals[name])
			so := asObject(t)
			url := so.str("url")
			if url == "" { // 3.x splits the URL
				url = so.str("host") + so.str("pathname")
			}
			doc.Servers = append(doc.Servers, AsyncServer{Name: name, URL: url, Protocol: so.str("protocol"), Description: so.str("description")})
		}
	}
	if strings.HasPrefix(v, "2.") {
		doc.Channels = p.channelsV2()
	} else {
		doc.Channels = p.channelsV3()
	}
	return doc, nil
}

type asyncParser struct {
	root    *object
	schemas schemaBuilder
}

func (p asyncParser) channelsV2() []Channel {
	channels := p.root.obj("channels")
	if channels == nil {
		return nil
	}
	var out []Channel
	for name, co := range channels.members(p.root) {
		ch := Channel{Anchor: "channel-" + slug(name), Name: name, Description: co.str("description")}
		for _, action := range []string{"publish", "subscribe"} {
			oo := co.obj(action)
			if oo == nil {
				continue
			}
			op := AsyncOperation{Action: action, ID: oo.str("operationId"), Summary: oo.str("summary"), Description: oo.str("description")}
			msg, _ := deref(p.root, oo.get("message"))
			mo := asObject(msg)
			if alts := asList(mo.get("oneOf")); len(alts) > 0 {
				for _, a := range alts {
					op.Messages = append(op.Messages, p.message(a, ""))
				}
			} else if mo != nil {
				op.Messages = append(op.Messages, p.message(oo.get("message"), ""))
			}
			ch.Operations = append(ch.Operations, op)
		}
		out = append(out, ch)
	}
	return out
}

func (p asyncParser) channelsV3() []Channel {
	channels := p.root.obj("channels")
	if channels == nil {
		return nil
	}
	var out []Channel
	byRef := map[string]int{}
	for id, co := range channels.members(p.root) {
		ch := Channel{Anchor: "channel-" + slug(id), Name: id, Description: co.str("description")}
		if a := co.str("address"); a != "" && a != id {
			ch.Address = a
		}
		if msgs := co.obj("messages"); msgs != nil {
			for _, name := range msgs.keys {
				ch.Messages = append(ch.Messages, p.message(msgs.vals[name], name))
			}
		}
		byRef["#/channels/"+strings.NewReplacer("~", "~0", "/", "~1").Replace(id)] = len(out)
		out = append(out, ch)
	}
	ops := p.root.obj("operations")
	if ops == nil {
		return out
	}
	for id, oo := range ops.members(p.root) {
		op := AsyncOperation{Action: oo.str("action"), ID: id, Summary: oo.str("summary"), Description: oo.str("description")}
		for _, m := range asList(oo.get("messages")) {
			op.Messages = append(op.Messages, p.message(m, ""))
		}
		i, ok := byRef[oo.obj("channel").str("$ref")]
		if !ok {
			continue
		}
		if len(op.Messages) == 0 {
			op.Messages = out[i].Messages
		}
		out[i].Operations = append(out[i].Operations, op)
	}
	for i := range out {
		if len(out[i].Operations) > 0 {
			out[i].Messages = nil // shown under the operations
		}
	}
	return out
}

func (p asyncParser) message(v any, name string) Message {
	t, ref := deref(p.root, v)
	mo := asObject(t)
	m := Message{
		Name:        mo.str("name"),
		Title:       mo.str("title"),
		Summary:     mo.str("summary"),
		Description: mo.str("description"),
		ContentType: mo.str("contentType"),
	}
	if m.Name == "" {
		m.Name = name
	}
	if m.Name == "" && ref != "" {
		m.Name = ref[strings.LastIndex(ref, "/")+1:]
	}
	if m.ContentType == "" {
		m.ContentType = p.root.str("defaultContentType")
	}
	if pl := mo.get("payload"); pl != nil {
		// AsyncAPI 3 may wrap the payload in a multi-format schema object.
		if po := asObject(pl); po != nil && po.get("schemaFormat") != nil && po.get("schema") != nil {
			pl = po.get("schema")
		}
		m.Payload = p.schemas.build(pl)
	}
	if h := mo.get("headers"); h != nil {
		m.Headers = p.schemas.build(h)
	}
	for i, ex := range asList(mo.get("examples")) {
		eo := asObject(ex)
		val := example(eo.get("payload"))
		if val == "" {
			continue
		}
		title := eo.str("name")
		if title == "" {
			title = fmt.Sprintf("Example %d", i+1)
		}
		m.Examples = append(m.Examples, Example{Name: title, Value: val})
	}
	return m
}
