package outbox_test

import (
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/outbox"
)

func TestKinds(t *testing.T) {
	say := func(text string) outbox.Renderer {
		return func(it outbox.Item) (string, string, error) { return text, it.Payload, nil }
	}
	a := []outbox.NoticeKind{{Kind: "a", Render: say("A")}}
	b := []outbox.NoticeKind{{Kind: "b", Render: say("B")}}
	k, err := outbox.NewKinds(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if s, text, err := k.Render(outbox.Item{Kind: "b", Payload: "p"}); err != nil || s != "B" || text != "p" {
		t.Errorf("Render(b) = %q %q %v", s, text, err)
	}
	if _, _, err := k.Render(outbox.Item{Kind: "c"}); err == nil || !strings.Contains(err.Error(), `"c"`) {
		t.Errorf("an unknown kind rendered: %v", err)
	}
	if got := k.Names(); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("Names = %v", got)
	}
	for name, groups := range map[string][][]outbox.NoticeKind{
		"twice":     {a, a},
		"no name":   {{{Render: say("x")}}},
		"no render": {{{Kind: "x"}}},
	} {
		if _, err := outbox.NewKinds(groups...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
