package jsvalue

import (
	"encoding/json"
	"reflect"
	"testing"
)

// objectTexts are JSON objects whose key order JavaScript rewrites: array indices first,
// ascending, then the other keys as written; a repeated key keeps its first place.
var objectTexts = []string{
	`{"b":1,"10":2,"2":3,"a":4}`,
	`{"b":1,"10":2,"2":3,"a":4,"01":5,"-1":6,"4294967294":7,"4294967295":8,"1.5":9,"0":10," 1":11,"1e3":12}`,
	`{"z":1,"3":2,"z":5}`,
	`{"kind":"component","namespace":"ns","name":"n","nested":{"y":[{"b":1,"a":2}],"x":null,"7":true}}`,
	`{}`,
	`{"<&>":"<&>","é":"\u2028","c":"x\n\u0001\"\\\t\b\f\r\u007f"}`,
	`{"a":[1,{"b":2}],"n":1e-7,"m":1e21,"f":0.1,"i":-0,"e":[],"o":{},"t":true,"nil":null}`,
}

func TestObjectOrder(t *testing.T) {
	tests := []struct {
		text string
		keys []string
		json string
	}{
		{objectTexts[0], []string{"2", "10", "b", "a"}, `{"2":3,"10":2,"b":1,"a":4}`},
		{objectTexts[1], []string{"0", "2", "10", "4294967294", "b", "a", "01", "-1", "4294967295", "1.5", " 1", "1e3"}, ""},
		{objectTexts[2], []string{"3", "z"}, `{"3":2,"z":5}`},
		{objectTexts[4], []string{}, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			v, err := DecodeJSON([]byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			o := v.(*Object)
			if got := o.Keys(); !reflect.DeepEqual(append([]string{}, got...), tt.keys) {
				t.Errorf("keys %q, want %q", got, tt.keys)
			}
			if tt.json != "" {
				b, err := json.Marshal(o)
				if err != nil {
					t.Fatal(err)
				}
				if string(b) != tt.json {
					t.Errorf("JSON %s, want %s", b, tt.json)
				}
			}
		})
	}
}

func TestObjectSetDelete(t *testing.T) {
	var o Object
	for _, k := range []string{"b", "10", "a", "2", "0"} {
		o.Set(k, k)
	}
	o.Set("b", "again") // keeps its place
	o.Delete("10")
	o.Delete("missing")
	o.Set("1", 1.0)
	if got, want := o.Keys(), []string{"0", "1", "2", "b", "a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("keys %q, want %q", got, want)
	}
	if v, _ := o.Get("b"); v != "again" {
		t.Errorf("b = %v", v)
	}
	if o.Len() != 5 || JSONType(&o) != "object" || String(&o) != "[object Object]" || !Truthy(&o) {
		t.Errorf("Len/JSONType/String/Truthy of %v", o.Keys())
	}
}

func TestPlainOrdered(t *testing.T) {
	v, err := DecodeJSON([]byte(objectTexts[3]))
	if err != nil {
		t.Fatal(err)
	}
	plain := Plain(v)
	var want any
	_ = json.Unmarshal([]byte(objectTexts[3]), &want)
	if !reflect.DeepEqual(plain, want) {
		t.Errorf("Plain = %#v, want %#v", plain, want)
	}
	b, _ := json.Marshal(Ordered(plain))
	if got := string(b); got != `{"kind":"component","name":"n","namespace":"ns","nested":{"7":true,"x":null,"y":[{"a":2,"b":1}]}}` {
		t.Errorf("Ordered(map) = %s", got)
	}
	b, _ = json.Marshal(Ordered(v))
	if got := string(b); got != `{"kind":"component","namespace":"ns","name":"n","nested":{"7":true,"y":[{"b":1,"a":2}],"x":null}}` {
		t.Errorf("Ordered(object) = %s", got)
	}
	var o Object
	if err := json.Unmarshal([]byte(`[1]`), &o); err == nil {
		t.Error("an array decoded into an Object")
	}
	if _, err := DecodeJSON([]byte(`{} {}`)); err == nil {
		t.Error("two values decoded as one")
	}
}

// TestObjectAgainstNode compares the key order and JSON text with Node.js's
// JSON.stringify(JSON.parse(text)), when node is installed.
func TestObjectAgainstNode(t *testing.T) {
	var want []string
	node(t, objectTexts, `a.flatMap(s=>[JSON.stringify(JSON.parse(s)),JSON.stringify(JSON.parse(s),null,2)])`, &want)
	for i, text := range objectTexts {
		v, err := DecodeJSON([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if got := Stringify(v, ""); got != want[2*i] {
			t.Errorf("%s: Go %s, node %s", text, got, want[2*i])
		}
		if got := Stringify(v, "  "); got != want[2*i+1] {
			t.Errorf("%s indented: Go %s, node %s", text, got, want[2*i+1])
		}
	}
}

// FuzzDecodeJSON checks DecodeJSON against encoding/json on any text: it refuses exactly the
// invalid JSON, reads the same values (objects compared as maps), and Stringify writes JSON
// that reads back the same.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range objectTexts {
		f.Add(s)
	}
	for _, s := range []string{`[1,"a",null,true,{"x":[{}]}]`, `"\u00e9\ud83d\ude00"`, `-0.0`, `{"a":1,"a":2}`, `1e400`, `{"\u2028":"\u0000"}`} {
		f.Add(s)
	}
	for _, s := range []string{`{"a":1,}`, `[1,]`, `{"a" 1}`, `{1:2}`, `[1 2]`, `01`, `{"a":1}}`, `1 2`, `{,}`, `"x`} {
		f.Add(s) // invalid
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, err := DecodeJSON([]byte(text))
		if valid := json.Valid([]byte(text)); (err == nil) != valid {
			t.Fatalf("DecodeJSON(%q): error %v, but json.Valid says %v", text, err, valid)
		}
		var want any
		if err != nil || json.Unmarshal([]byte(text), &want) != nil {
			return // invalid, or a number beyond float64 that encoding/json refuses
		}
		if !reflect.DeepEqual(Plain(got), want) {
			t.Fatalf("DecodeJSON(%q) = %#v, encoding/json %#v", text, Plain(got), want)
		}
		out := Stringify(got, " ")
		again, err := DecodeJSON([]byte(out))
		if err != nil || !reflect.DeepEqual(Plain(again), want) {
			t.Fatalf("Stringify(%q) = %q does not read back: %v", text, out, err)
		}
	})
}
